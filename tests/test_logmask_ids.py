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


def test_numbers_in_a_query_string_are_masked_as_people_type_them():
    """An access log writes the request line percent-encoded, with + for a space; the numbers are
    found in every form the search box takes (found by an attack on the admin's search)."""
    fullwidth = "%EF%BC%91%EF%BC%93%EF%BC%99%EF%BC%94%EF%BC%97%EF%BC%97%EF%BC%98%EF%BC%90%EF%BC%90%EF%BC%91%EF%BC%95"
    for query, digits in (("139+4778+0015", 13), ("139%204778%200015", 13), ("139.4778.0015", 13),
                          (fullwidth, 11), ("150626+1982+0828+0167", 21), ("150626%2019820828%200167", 20)):
        line = mask(f'"GET /admin/petitions/petition/?term={query} HTTP/1.1" 200 512')
        assert f"[已屏蔽{digits}位]" in line and "4778" not in line and "0828" not in line, line
        # A search box's own value (q=) is masked whole, whatever it holds.
        line = mask(f'"GET /admin/petitions/petition/?q={query} HTTP/1.1" 200 512')
        assert "?q=[已屏蔽] HTTP/1.1" in line and "4778" not in line and "0828" not in line, line


def test_a_decoded_request_line_cannot_forge_another_log_line():
    assert mask('"GET /staff/?x=a%0A2026-11-30 ERROR forged HTTP/1.1" 404') == \
        '"GET /staff/?x=a\\x0a2026-11-30 ERROR forged HTTP/1.1" 404'


def test_a_query_code_in_an_address_is_masked():
    """Whoever holds a query code sees the petition's progress and may rate it: not in access logs."""
    from daiban.lib.logmask import mask

    line = '"GET /api/v1/public/petitions/WS-2026-000001?code=JEG9NZC5QT HTTP/1.1" 200 512'
    assert mask(line) == '"GET /api/v1/public/petitions/WS-2026-000001?code=[已屏蔽] HTTP/1.1" 200 512'
    legacy = '"GET /track/WS-2026-000001/?number=WS-2026-000001&CODE=jeg9%20nzc5qt&x=1 HTTP/1.1" 303 0'
    assert "jeg9" not in mask(legacy) and "nzc5qt" not in mask(legacy) and "&x=1" in mask(legacy)
    assert mask("barcode=123 ?codex=AB") == "barcode=123 ?codex=AB"


def test_a_query_code_in_a_logged_message_is_masked():
    """The console SMS backend logs the receipt SMS, which carries the query code: whoever reads the
    worker's log must not be able to track (and rate) the petition."""
    body = "SMS to 139****5678: 【乌审旗信访代办】您反映的事项已收到，编号WS-2026-000001，查询码FRWKPL7L84。"
    masked = mask(body)
    assert "FRWKPL7L84" not in masked and "查询码[已屏蔽]" in masked and "WS-2026-000001" in masked
