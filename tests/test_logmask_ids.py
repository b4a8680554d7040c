"""The log mask keeps task ids whole (their first group can be eight digits) and still masks
personal numbers beside them."""

from daiban.lib.logmask import mask


def test_uuid_kept_whole_and_phone_beside_it_masked():
    line = "Task id=12345678-c7fc-47a7-9f6a-4a6c4781dffc state=RUNNING phone 13947780001"
    assert mask(line) == "Task id=12345678-c7fc-47a7-9f6a-4a6c4781dffc state=RUNNING phone [已屏蔽11位]"


def test_digits_that_only_look_like_a_uuid_group_are_masked():
    assert mask("id 15062619650312001X, 12345678-") == "id [已屏蔽18位], [已屏蔽8位]-"



def test_the_development_servers_access_lines_are_masked():
    """runserver logs each request line, query string included, through "django.server": every
    handler it writes to masks (Django's own default handler for it would not)."""
    import logging

    from daiban.lib.logmask import MaskPersonalData

    logger = logging.getLogger("django.server")
    ours = [h for h in logger.handlers if type(h).__module__.startswith("logging")]  # not pytest's capture
    assert ours and not logger.propagate
    assert all(any(isinstance(f, MaskPersonalData) for f in h.filters) for h in ours)
