"""Round ten in Chromium: a phone's large photo is made smaller before it is sent."""

from __future__ import annotations

import io
import os

from PIL import Image
from playwright.sync_api import expect

from daiban.documents.models import Attachment
from daiban.documents.storage import attachment_bytes
from tests.factories import COMPLAINT, id_number

PHONE = {"width": 360, "height": 740}


def _photo(width: int, height: int) -> bytes:
    """A JPEG as large as a phone's (noise does not compress: about 1.9 bytes a pixel at quality 100)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "JPEG", quality=100)
    return buffer.getvalue()


def test_a_photo_over_the_limit_is_made_smaller_in_the_browser_and_sent(site, org, settings):
    data = _photo(3200, 2400)
    assert len(data) > settings.DAIBAN_ATTACHMENT_MAX_BYTES
    page = site.page(**PHONE)
    page.goto(site.url("/submit/"))
    page.locator("#id_name").fill("吴十")
    page.locator("#id_id_number").fill(id_number(serial=961))
    page.locator("#id_phone").fill("13612345678")
    page.locator("#id_content").fill(COMPLAINT)
    page.locator("#files").set_input_files([{"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": data}])
    expect(page.get_by_test_id("files-check")).to_contain_text("已自动缩小")
    page.locator("#id_consent").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible(timeout=30_000)
    kept = Attachment.objects.get()
    assert kept.name == "现场照片.jpg" and kept.content_type == "image/jpeg"
    stored = attachment_bytes(kept)
    assert len(stored) <= settings.DAIBAN_ATTACHMENT_MAX_BYTES
    with Image.open(io.BytesIO(stored)) as image:
        assert max(image.size) == 2560 and image.size[0] > image.size[1]  # upright, as taken


def test_a_file_that_cannot_be_made_smaller_keeps_the_form_from_being_sent(site, org, settings):
    page = site.page(**PHONE)
    page.goto(site.url("/submit/"))
    big = settings.DAIBAN_ATTACHMENT_MAX_BYTES + 1
    page.locator("#files").set_input_files([
        {"name": "扫描件.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * big}])
    check = page.get_by_test_id("files-check")
    expect(check).to_contain_text("“扫描件.pdf”有10.0MB，超过10MB")
    page.locator("#id_name").fill("吴十")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#files")).to_be_focused()
    assert page.url.endswith("/submit/")


def test_files_dropped_from_a_refused_form_do_not_keep_it_from_being_sent(site, org):
    """The page marks the file input (您刚才选择的附件未能保留): advice, not a refusal of the form."""
    page = site.page(**PHONE)
    page.goto(site.url("/submit/"))
    page.locator("#files").set_input_files([{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": _photo(64, 48)}])
    page.locator("#id_consent").check()
    page.get_by_role("button", name="提交").click()  # no name, no ID number: refused, the photo dropped
    expect(page.get_by_test_id("files-dropped")).to_be_visible()
    page.locator("#id_name").fill("吴十")
    page.locator("#id_id_number").fill(id_number(serial=962))
    page.locator("#id_phone").fill("13612345678")
    page.locator("#id_content").fill(COMPLAINT)
    if not page.locator("#id_consent").is_checked():
        page.locator("#id_consent").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", name="提交成功")).to_be_visible()
