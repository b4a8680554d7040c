"""Attack: a complaint of thousands of emoji (10,000 characters are allowed) made every emoji its
own <span> in the PDF and its own run in the DOCX, and the agency form's PDF took the server about
50 s to lay out. Sequences side by side are now one run. (Still ~30 s on a loaded machine for 5,000
colour emoji: the glyphs themselves cost; see the attack report.)"""

from __future__ import annotations

from daiban.documents.safe import emoji_runs
from daiban.documents.templatetags.doctext import doctext


def test_emoji_side_by_side_are_one_run():
    assert emoji_runs("😀" * 500) == [("😀" * 500, True)]
    assert emoji_runs("家😀👨\u200d👩\u200d👧🙏🏽人") == [("家", False), ("😀👨\u200d👩\u200d👧🙏🏽", True), ("人", False)]
    assert emoji_runs("😀a😀") == [("😀", True), ("a", False), ("😀", True)]


def test_the_pdf_text_of_a_row_of_emoji_is_one_span():
    assert str(doctext("说明" + "😀" * 2000)).count('class="emoji"') == 1
