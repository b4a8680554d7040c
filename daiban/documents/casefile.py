"""一案一档: the case file as the archival rules order it (DA/T 22-2015 归档文件整理规则, with the
卷内目录 and 卷内备考表 of a 案卷).

archive.zip holds, under a folder named by the petition's number:
- 00a-案卷封面.pdf: 案卷题名, 年度, 保管期限, 立卷人, 检查人, 立卷日期 (and 全宗, 档号, 起止日期, 件数, 页数);
- 00b-卷内目录.pdf and 00c-卷内目录.csv: 序号, 文号, 责任者, 题名, 日期, 页号, 备注, over the PDF copies, with
  running page numbers (页号: the first page of each item, "起-止" when it has several), which every
  filed PDF page carries at its upper right (stamp_page_numbers);
- the items, named by their 序号 (01, 02, …; 001, 002, … from 99 items on: seq_width) in filing order: the case summary first, then every document of the case in
  date order (the forms, every letter given — each 延期办理告知书 and 处理意见书 of its day —, the 移送函, each
  一案双查情况记录 with its findings, the attachments: PDFs as uploaded, images each on a page of its own
  (file_images), the image itself kept in 原件/ under the same name, outside the page count);
- 99-卷内备考表.pdf: 本卷情况说明, 立卷人, 检查人, 日期 (signers: from the events, or a line to sign by hand);
- 工作文件（DOCX）/: the editable DOCX copies, outside the page count.

An attachment that cannot be opened never stops the archive: it is listed with 备注 文件损坏，无法打开.
Member names pass through safe.zip_name; CSV cells through safe.csv_text.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from daiban.documents import notices
from daiban.documents.docx import render_docx
from daiban.documents.forms import agency_form, agency_form_applies, disposition_form, petitioner_name
from daiban.documents.layout import SIGN_LINE, FormDoc, date_text, dates_as_text
from daiban.documents.models import Attachment
from daiban.documents.pdf import form_pdf, render_pdf
from daiban.documents.records import corrections, double_check_record
from daiban.documents.referral import referral_letter
from daiban.documents.safe import clean, csv_text, zip_name
from daiban.documents.storage import attachment_bytes
from daiban.petitions.double_checks import timeline_note
from daiban.petitions.models import Petition
from daiban.petitions.selectors import petitioner_view

log = logging.getLogger(__name__)
BROKEN = "文件损坏，无法打开"
MISSING = "文件缺失，无法打开"
ALTERED = "文件与上传时的SHA-256校验值不一致"
DOCX_FOLDER = "工作文件（DOCX）"
ORIGINALS_FOLDER = "原件"
ORIGINAL_KEPT = "原图另存于“原件”文件夹"
IMAGE_TYPES = ("image/jpeg", "image/png")  # what uploads keep images as (services.SIGNATURES)


@dataclass
class Item:
    """One item of the 卷内目录."""

    title: str  # 题名
    number: str  # 文号
    author: str  # 责任者
    day: datetime.date | None
    data: bytes | None  # the PDF copy (or the attachment's own bytes)
    ext: str
    pages: int = 0
    note: str = ""  # 备注
    docx: bytes | None = None
    first_page: int = 0
    order: int = 0
    file: str = field(default="")
    seq: int = 0
    # An image attachment filed as a page (file_images): the upload as it came and its extension,
    # kept in the 原件 folder (original_name).
    original: bytes | None = None
    original_ext: str = ""
    image: bool = False  # an image attachment (its content type), filed as a page by file_images

    @property
    def remarks(self) -> str:
        """备注 as the 卷内目录 prints it: what went wrong (note), and where an image's original is."""
        kept = ORIGINAL_KEPT if self.original is not None else ""
        return "；".join(n for n in (self.note, kept) if n)

    def original_name(self) -> str:
        """The original's member name: the item's own name in the 原件 folder, with its own extension."""
        return f"{ORIGINALS_FOLDER}/{self.file.rsplit('.', 1)[0]}.{self.original_ext}"

    @property
    def page_text(self) -> str:
        if not self.pages:
            return "—"
        last = self.first_page + self.pages - 1
        return str(self.first_page) if last == self.first_page else f"{self.first_page}-{last}"


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _attachment_item(attachment: Attachment, station: str) -> Item:
    """An attachment as filed: its own bytes, its page count. A file that does not open is listed as
    such (BROKEN), one gone from storage is listed without a file (MISSING), and one whose bytes are
    no longer those uploaded (its recorded SHA-256) is filed as found and said to differ (ALTERED)."""

    name = clean(attachment.name) or "附件"
    ext = (name.rsplit(".", 1)[-1].lower() if "." in name else "")[:5] or "bin"
    title = f"附件：{name}（{attachment.get_kind_display()}）"
    author = "信访人" if attachment.kind == Attachment.Kind.LETTER else station
    day = timezone.localtime(attachment.uploaded_at).date() if attachment.uploaded_at else None
    try:
        data = attachment_bytes(attachment)
    except OSError:
        log.warning("attachment %s missing from storage", attachment.pk)
        return Item(title, "", author, day, None, ext, note=MISSING)
    notes = []
    pages = _attachment_pages(attachment, data)
    if pages is None:
        log.warning("attachment %s does not open", attachment.pk)
        notes.append(BROKEN)
    if attachment.sha256 and hashlib.sha256(data).hexdigest() != attachment.sha256:
        log.warning("attachment %s differs from its recorded SHA-256", attachment.pk)
        notes.append(ALTERED)
    return Item(title, "", author, day, data, ext, pages=pages or 0, note="；".join(notes),
                image=attachment.content_type in IMAGE_TYPES)


def _attachment_pages(attachment: Attachment, data: bytes) -> int | None:
    """The pages of an attachment's bytes (a PDF's, 1 for an image), None when they do not open."""
    try:
        if attachment.content_type == "application/pdf":
            return _pages(data)
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        return 1
    except Exception:  # noqa: BLE001 (any failure to open is the same fact for the archive)
        return None


def _document_item(form: FormDoc, author: str, order: int, stamp: datetime.datetime | None = None) -> Item:
    pdf = form_pdf(form)
    return Item(form.title if not form.title.startswith("信访事项") else f"《{form.title}》", form.number, author,
                form.date, pdf, "pdf", pages=_pages(pdf), docx=render_docx(form, stamp=stamp), order=order)


def filed_at(petition: Petition) -> datetime.datetime | None:
    """When the case file says it was made: the start of its archiving day in local time (Asia/Shanghai)
    once archived, so that a file built again from the same data (a failed build retried days later,
    a restored backup) is the same bytes; None before (a preview is of its moment)."""
    if petition.archived_on is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(petition.archived_on, datetime.time()))


# Events of the case file itself, not of the case: its build failed, was retried, was frozen.
FILE_EVENTS = frozenset({"archive_frozen", "archive_failed", "archive_retry"})


def case_events(petition: Petition) -> list:
    """The case's events in date order, as the case file tells them: those of the file's own build
    left out (FILE_EVENTS), and, once archived, none recorded after the `archive` step — what the
    file says is what stood when it was sealed, whenever it is built."""
    events = [e for e in petition.events.all() if e.action not in FILE_EVENTS]
    archived = [e.pk for e in events if e.action == "archive"]
    if petition.archived_on is not None and archived:
        events = [e for e in events if e.pk <= archived[-1]]
    return sorted(events, key=lambda e: (e.on, e.pk))


def case_summary_pdf(petition: Petition) -> bytes:
    """信访事项办理情况: the case on a few pages, its events in date order (case_events). Its header
    gives the archiving date once archived (the same file whenever built), else the moment it was made."""
    person = petitioner_view(petition, None)  # the case file holds the full data
    events = case_events(petition)
    for e in events:  # the 一案双查 steps without their text (read by the case agent too); dates as documents print them
        e.note = dates_as_text(timeline_note(e.action, e.note))
        # 补录: dated before the day it was entered, printed with that day (the record stays honest).
        e.recorded_on = timezone.localtime(e.at).date()
    return render_pdf("documents/summary.html", {
        "p": petition, "person": person, "id_number": person.id_number, "phone": person.phone, "events": events,
        # What the timeline says only in part: the corrected values, each conduct record in full.
        "corrections": corrections(petition), "conduct": list(petition.conduct.all()),
        # The statistics' 按期办结 (stats.kpi): every conclusion met the limit in force that day.
        "on_time": not petition.concluded_late if petition.concluded_on else None,
        "follow_up_in_time": (petition.followed_up_on <= petition.follow_up_due_on
                              if petition.followed_up_on and petition.follow_up_due_on else None),
        "generated": None if petition.archived_on else timezone.localtime(),
    })


def items(petition: Petition) -> list[Item]:
    """Every item of the case file in filing order, with running page numbers."""
    person = petitioner_view(petition, None)  # the case file holds the full data
    station = petition.station.name
    bureau = settings.DAIBAN_BUREAU_NAME
    summary = case_summary_pdf(petition)
    stamp = filed_at(petition)
    first = Item("信访事项办理情况（案件摘要）", petition.number, station, petition.archived_on or timezone.localdate(),
                 summary, "pdf", pages=_pages(summary))
    # A blank 代办单 would be counted as a document of the file (forms.agency_form_applies).
    found = [_document_item(agency_form(petition, person=person), station, 1, stamp)] if agency_form_applies(petition) else []
    for disposition in petition.dispositions.all():
        item = _document_item(disposition_form(disposition, person=person), station, 2, stamp)
        item.title = f"《信访事项处置单》（{disposition.department.name}）"
        found.append(item)
    # Every letter the petitioner was given: each earlier 延期办理告知书 and 处理意见书 too, each signed
    # (责任者) by the organ that issued it (the 复查/复核意见书 by the reviewing organs).
    earlier = notices.earlier_letters(petition)
    for kind in [*earlier, *(k for k, ok in notices.available(petition).items() if ok)]:
        item = _document_item(notices.build(petition, kind), notices.issuer(kind), 3, stamp)
        if (which := notices.letter_round(kind, earlier)) is not None:  # which copy, in the 卷内目录
            item.title += f"（第{which}次）"
        found.append(item)
    for referral in petition.judicial_referrals.all():
        item = _document_item(referral_letter(petition, referral, person=person), bureau, 3, stamp)
        item.title = f"移送函（{referral.organ}）"
        found.append(item)
    # The 一案双查 in full: the timeline keeps its text out (timeline_note), its record holds it.
    for check in petition.double_investigations.all():
        found.append(_document_item(double_check_record(petition, check), bureau, 3, stamp))
    for attachment in petition.attachments.all():
        item = _attachment_item(attachment, station)
        item.order = 4
        found.append(item)
    found.sort(key=lambda i: (i.day or datetime.date.max, i.order))
    ordered = [first, *found]
    file_images(ordered)
    width = seq_width(len(ordered))
    page = 1
    for number, item in enumerate(ordered, start=1):
        item.seq = number
        item.first_page = page if item.pages else 0
        page += item.pages
        _name(item, width)
    return ordered


def _name(item: Item, width: int) -> None:
    item.file = zip_name(f"{item.seq:0{width}d}-{item.title}.{item.ext}", limit=90)


def file_images(entries: list[Item]) -> None:
    """Each image attachment that opened (one page) as a PDF page of its own (image_pages: fitted,
    upright, its caption the 题名 and the upload day), in place of `entry.data`, the image kept as
    `entry.original`; stamp_page_numbers then prints its 页号 like on any page. One that cannot be
    printed (image_pages.printable: too many pixels, animated, damaged) is filed as it came, its 备注
    saying it carries no 页号 (UNSTAMPED)."""
    from daiban.documents.image_pages import image_pages, printable

    images = [e for e in entries if e.image and e.data is not None and e.pages == 1]
    ready = []
    for entry in images:
        image = printable(entry.data or b"")
        if image is None:
            entry.note = "；".join(n for n in (entry.note, UNSTAMPED) if n)
            continue
        caption = f"{entry.title}　{date_text(entry.day)}上传" if entry.day else entry.title
        ready.append((entry, image, caption))
    try:
        pages = image_pages([(image, caption) for _, image, caption in ready])
    except Exception:  # noqa: BLE001 (the pages could not be made: every image filed as it came)
        log.warning("image pages not made", exc_info=True)
        pages = None
    for number, (entry, _, _) in enumerate(ready):
        if pages is None:
            entry.note = "；".join(n for n in (entry.note, UNSTAMPED) if n)
            continue
        entry.original, entry.original_ext = entry.data, "".join(c for c in entry.ext if c.isalnum()) or "bin"
        entry.data, entry.ext = pages[number], "pdf"


def seq_width(count: int) -> int:
    """Digits of the 序号 prefix of a case file of `count` items: at least 2, and enough that the
    items, the front matter (`00a-`…) and the 卷内备考表 (all nines, after the last item) sort in
    their order by name in any archive tool: 99 items take 3 digits (001…099, 999-卷内备考表), so
    neither 100 sorts before 11 nor the 99th item takes the 备考表's name."""
    return max(2, len(str(count + 1)))


def front_names(count: int) -> tuple[str, str, str, str]:
    """The names of the cover, the 卷内目录 (PDF, CSV) and the 卷内备考表 of a file of `count` items."""
    width = seq_width(count)
    zeros = "0" * width
    return (f"{zeros}a-案卷封面.pdf", f"{zeros}b-卷内目录.pdf", f"{zeros}c-卷内目录.csv", f"{'9' * width}-卷内备考表.pdf")


def signers(petition: Petition) -> tuple[str, str]:
    """(立卷人, 检查人) of the case file, as the 案卷封面 and the 卷内备考表 sign them (GB/T 9705-2008 §7,
    DA/T 22-2015: the 立卷人 put the file together, the 检查人 checked it). The 立卷人 is the agent who held
    the matter when it was archived (the account that archived it when no agent did); the 检查人 is the
    account that took the `archive` step when that is someone else (a station leader or the center
    sealing the agent's file). '' where the events name nobody: the documents leave a line to sign by
    hand (layout.SIGN_LINE), never a silent blank."""
    archived = next((e for e in reversed(petition.events.all()) if e.action == "archive"), None)
    agent = petition.agent
    by = archived.actor_name if archived is not None else ""
    filer = agent.name if agent is not None else by
    by_agent = agent is not None and archived is not None and archived.actor_id is not None \
        and archived.actor_id == agent.user_id
    checker = by if by and not by_agent and by != filer else ""
    return filer, checker


def cover_context(petition: Petition, entries: list[Item]) -> dict:
    """What the 案卷封面 and the 卷内备考表 print: every field from the data (signers, the archiving day,
    件数 and 页数), or, where the data has none (a file not yet archived, nobody who checked it), a
    line or the date's blanks (date_text(None)) to fill by hand."""
    filer, checker = signers(petition)
    category = petition.category or "有关"
    return {
        "p": petition, "bureau": settings.DAIBAN_BUREAU_NAME, "retention": settings.DAIBAN_ARCHIVE_RETENTION,
        "title": f"{petitioner_name(petition)}反映{category}问题信访代办案卷",
        "year": (petition.archived_on or timezone.localdate()).year, "filer": filer, "checker": checker,
        "sign_line": SIGN_LINE, "filed_on": date_text(petition.archived_on),
        "span": f"{date_text(petition.received_on)}至{date_text(petition.archived_on or timezone.localdate())}",
        "count": len(entries), "pages": sum(e.pages for e in entries),
        "broken": [e for e in entries if e.note], "docx": sum(1 for e in entries if e.docx),
        "originals": sum(1 for e in entries if e.original is not None),
    }


def index_day(day: datetime.date | None) -> str:
    """A 卷内目录 row's 日期: the document's date in 8 digits, 20261103 (DA/T 22-2015 归档文件目录 and
    GB/T 9705 卷内文件目录: 以8位阿拉伯数字标注年月日), both in the PDF and the CSV; '' when undated."""
    return f"{day:%Y%m%d}" if day else ""


def index_csv(entries: list[Item]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["序号", "文号", "责任者", "题名", "日期", "页号", "备注", "文件"])
    for i, entry in enumerate(entries, start=1):
        writer.writerow([i, *(csv_text(v) for v in (entry.number, entry.author, entry.title,
                                                    index_day(entry.day), entry.page_text,
                                                    entry.remarks, entry.file if entry.data is not None else ""))])
    return ("\ufeff" + buffer.getvalue()).encode()


UNSTAMPED = "未能加盖页号"


def stamp_page_numbers(entries: list[Item]) -> None:
    """Print on every filed PDF page its 页号, the running number the 卷内目录 lists (DA/T 22-2015 and
    GB/T 9705-2008: each page of a file carries its 页号, upper right on the front; Item.page_text),
    in place of `entry.data`: the case summary, the forms and letters, and the PDF attachments (a
    copy: the upload in storage, and its SHA-256, stay as they were). The numbers are one WeasyPrint
    document (the PDFs' embedded fonts), one A4 page per number, each laid over its page with its
    upper right corner on the page's (a page of another size or turned (/Rotate) gets it at its
    own upper right as seen). An image attachment's page (file_images) is numbered like any page;
    a PDF that cannot be written again (encrypted) is filed as it came, its 备注 saying so
    (UNSTAMPED), and so is an image whose page could not be numbered (the image, not its page)."""
    from pypdf import PdfReader, PdfWriter, Transformation

    stamped = [e for e in entries if e.data is not None and e.ext == "pdf" and e.pages and e.first_page]
    if not stamped:
        return
    last = max(e.first_page + e.pages - 1 for e in stamped)
    numbers = PdfReader(io.BytesIO(render_pdf("documents/archive_page_numbers.html",
                                              {"numbers": range(1, last + 1)}))).pages
    for entry in stamped:
        try:
            reader = PdfReader(io.BytesIO(entry.data or b""))
            writer = PdfWriter(clone_from=reader)
            for offset, page in enumerate(writer.pages):
                if page.get("/Rotate", 0):
                    page.transfer_rotation_to_content()
                number = numbers[entry.first_page - 1 + offset]
                box = page.cropbox
                dx = float(box.right) - float(number.mediabox.right)
                dy = float(box.top) - float(number.mediabox.top)
                page.merge_transformed_page(number, Transformation().translate(dx, dy))
            buffer = io.BytesIO()
            writer.write(buffer)
        except Exception:  # noqa: BLE001 (any failure leaves the document as it came, said in its 备注)
            log.warning("page numbers not stamped on %s", entry.file, exc_info=True)
            entry.note = "；".join(n for n in (entry.note, UNSTAMPED) if n)
            if entry.original is not None:  # an image's page without its number: the image as it came
                entry.data, entry.ext, entry.original = entry.original, entry.original_ext, None
                _name(entry, seq_width(len(entries)))
            continue
        entry.data = buffer.getvalue()


def build_archive(petition: Petition) -> bytes:
    """The zip of the case file. Entry times are the archive day, so the same content gives the
    same bytes."""
    entries = items(petition)
    stamp_page_numbers(entries)  # before the 卷内目录 is drawn: a PDF that could not be stamped is said in its 备注
    context = cover_context(petition, entries)
    cover = render_pdf("documents/archive_cover.html", context)
    index = render_pdf("documents/index.html", {**context, "entries": entries})
    note = render_pdf("documents/archive_note.html", context)
    stamp = (petition.archived_on or timezone.localdate()).timetuple()[:3] + (0, 0, 0)
    root = zip_name(petition.number)
    cover_name, index_name, csv_name, note_name = front_names(len(entries))
    files: list[tuple[str, bytes]] = [(cover_name, cover), (index_name, index), (csv_name, index_csv(entries))]
    files += [(e.file, e.data) for e in entries if e.data is not None]
    files.append((note_name, note))
    files += [(e.original_name(), e.original) for e in entries if e.original is not None and e.data is not None]
    files += [(f"{DOCX_FOLDER}/{e.file.rsplit('.', 1)[0]}.docx", e.docx) for e in entries if e.docx]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
