"""Documents of a case: the two forms, attachments, the case summary and the frozen archive (一案一档)."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from daiban.audit import services as audit
from daiban.audit.models import Action as AuditAction
from daiban.documents import casefile
from daiban.documents.casefile import case_summary_pdf  # noqa: F401  (importable from here)
from daiban.documents.convert import MAX_IMAGE_PIXELS  # the uploads' limit, and the archive image pages'
from daiban.documents.docx import render_docx
from daiban.documents.forms import agency_form, agency_form_applies, disposition_form
from daiban.documents.layout import FormDoc
from daiban.documents.models import ArchiveFile, Attachment
from daiban.documents.pdf import fit_letter, form_pdf, render_pdf
from daiban.documents.safe import windows_safe
from daiban.documents.storage import attachment_bytes, private_storage  # noqa: F401  (importable from here)
from daiban.lib.errors import Conflict, Forbidden, Invalid, NotFound
from daiban.lib.text import UNDECODABLE_MESSAGE, clean_line, undecodable
from daiban.lib.validation import ID_MAX, ascii_digits
from daiban.org import roles
from daiban.org.models import User
from daiban.petitions.abilities import may, may_see_personal_data, require
from daiban.petitions.double_checks import visible_double_checks
from daiban.petitions.models import (
    PETITIONER_ACTOR,
    Disposition,
    DoubleInvestigation,
    Event,
    PersonalDataView,
    Petition,
    Status,
    Urging,
)
from daiban.petitions.permissions import (
    actor_kinds,
    department_view,
    get_visible_petition,
    identity_hidden,
    stations_below,
    visible_petitions,
)
from daiban.petitions.selectors import PetitionerView, petitioner_view

SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
]


# --- the two forms ----------------------------------------------------------------------------------

def _personal(user: User, petition: Petition, via: str) -> PetitionerView:
    person = petitioner_view(petition, user)
    if person.revealed:
        PersonalDataView.objects.create(user=user, petition=petition, fields="id_number,phone", via=via)
    return person


def agency_form_for(user: User, petition: Petition, via: str) -> FormDoc:
    return agency_form(petition, person=_personal(user, petition, via),
                       show_result=department_view(user, petition) is None)


def disposition_form_for(user: User, disposition: Disposition, via: str) -> FormDoc:
    return disposition_form(disposition, person=_personal(user, disposition.petition, via))


def render(form: FormDoc, fmt: str) -> bytes:
    """The form or letter as DOCX or PDF; a letter's DOCX takes the line pitch its PDF fits with
    (pdf.fit_letter), so both keep to the same pages."""
    if fmt == "docx":
        fit_letter(form)
        return render_docx(form)
    return form_pdf(form)


def _check_format(fmt: str) -> str:
    if fmt not in ("docx", "pdf"):
        raise NotFound("只提供docx和pdf格式")
    return fmt


def agency_form_file(user: User, petition_id: int, fmt: str, *, via: str) -> tuple[bytes, str]:
    """《信访事项代办单》 as (bytes, file name) for someone who may see the petition."""
    _check_format(fmt)
    get_visible_petition(user, petition_id)
    case = load_case(petition_id)
    if not agency_form_applies(case):
        raise NotFound("该事项未受理代办，没有信访事项代办单")
    form = agency_form_for(user, case, via=f"{via}agency.{fmt}")
    return render(form, fmt), f"{form.filename}.{fmt}"


def disposition_form_file(user: User, disposition_id: int, fmt: str, *, via: str) -> tuple[bytes, str]:
    """《信访事项处置单》 as (bytes, file name) for someone who may see that 处置单."""
    from daiban.petitions.permissions import visible_dispositions

    _check_format(fmt)
    disposition = (visible_dispositions(user)
                   .select_related("department", "petition__petitioner", "leader_opinion_by", "principal_by")
                   .prefetch_related(URGINGS).filter(pk=disposition_id).first())
    if disposition is None:
        raise NotFound("处置单不存在")
    form = disposition_form_for(user, disposition, via=f"{via}disposition.{fmt}")
    return render(form, fmt), f"{form.filename}.{fmt}"


# --- the written notices to the petitioner ----------------------------------------------------------

def _notice_case(user: User, petition_id: int) -> Petition:
    """The petition for its notices. NotFound (404) for a petition the user may not see; Forbidden
    (403) for a department that sees it: the notices are the agency's letters to the petitioner (they
    carry the name), no business of the unit asked to act, and the case is no secret to it (API.md:
    404 only for what the caller may not see)."""
    get_visible_petition(user, petition_id)
    if not may(user, "work_cases"):
        raise Forbidden("告知书是代办机构给信访人的文书，事权单位不能查看", code="forbidden")
    return load_case(petition_id)


def notice_list(user: User, petition_id: int) -> list[dict]:
    """[{"kind", "title", "available"}] for one petition (API.md, Documents)."""
    from daiban.documents import notices

    return notices.listing(_notice_case(user, petition_id))


def notice_file(user: User, petition_id: int, kind: str, fmt: str) -> tuple[bytes, str]:
    """One notice as (bytes, file name). NotFound for an unknown kind or one that does not apply yet."""
    from daiban.documents import notices

    _check_format(fmt)
    petition = _notice_case(user, petition_id)
    try:
        form = notices.build(petition, kind)
    except (KeyError, LookupError) as exc:
        raise NotFound("该告知书不适用于本信访事项或尚未到该环节") from exc
    return render(form, fmt), f"{form.filename}.{fmt}"


# --- the referral letter to the judicial organs (移送函) ------------------------------------------------

def referral_letter_file(user: User, referral_id: int, fmt: str, *, via: str) -> tuple[bytes, str]:
    """《移送函》 of one referral as (bytes, file name): for case workers who may see the petition
    (departments and strangers: 404, as for a referral that does not exist)."""
    from daiban.documents.referral import referral_letter
    from daiban.petitions.models import JudicialReferral

    _check_format(fmt)
    petition_id = JudicialReferral.objects.filter(pk=referral_id).values_list("petition_id", flat=True).first()
    if petition_id is None or not may(user, "work_cases"):
        raise NotFound("移送记录不存在")
    get_visible_petition(user, petition_id)
    petition = load_case(petition_id)
    referral = next(r for r in petition.judicial_referrals.all() if r.pk == referral_id)
    form = referral_letter(petition, referral, person=_personal(user, petition, f"{via}referral.{fmt}"))
    return render(form, fmt), f"{form.filename}.{fmt}"


# --- attachments ------------------------------------------------------------------------------------

# Photos a phone takes or a chat app saves that neither Word, every browser nor the case file's PDF
# shows: HEIF/HEIC (an iPhone's, many new Android phones'; ISO base media: "ftyp" then the brand at
# byte 8) and WebP ("RIFF", a length, "WEBP"). They are kept as JPEG or PNG (_converted).
_HEIF = re.compile(rb"^.{4}ftyp(heic|heix|hevc|hevx|heim|heis|mif1|msf1)", re.DOTALL)
_WEBP = re.compile(rb"^RIFF.{4}WEBP", re.DOTALL)


def _sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def attachment_add(*, petition_id: int, user: User, upload, kind: str = Attachment.Kind.DOCUMENT,
                   conduct: object = None) -> Attachment:
    """Store an uploaded scan, photo or PDF. The type is read from the bytes, not the name.
    `conduct`: the id of a conduct record of this petition (record_conduct) the file is evidence of;
    kind `evidence` requires one, and a conduct's files are always of kind `evidence`."""
    petition = get_visible_petition(user, petition_id)
    require(user, "upload")
    if not may_upload(user, petition):
        raise Forbidden(UPLOAD_REFUSAL, code="forbidden")
    _refuse_closed(petition, None)
    evidence = conduct not in (None, "") or kind == Attachment.Kind.EVIDENCE
    if evidence and not may_upload_evidence(user, petition):
        raise Forbidden(EVIDENCE_REFUSAL, code="forbidden")
    conduct_id = _conduct_of(petition, kind, conduct)
    if conduct_id is not None:
        kind = Attachment.Kind.EVIDENCE
    _refuse_closed(petition, conduct_id)  # before the file is read: a clear answer without the upload's cost
    # Asked again of the locked row: an archive or a referral committed while the file was read and
    # checked would otherwise be followed by an attachment (一案一档 changed after it was sealed).
    return store_attachment(petition, upload, kind=kind, user=user, conduct_id=conduct_id,
                            guard=lambda locked: _refuse_closed(locked, conduct_id))


def _refuse_closed(petition: Petition, conduct_id: int | None) -> None:
    """Conflict for an archived case, Forbidden for evidence of a conduct already referred."""
    if petition.status == Status.ARCHIVED:
        raise Conflict("已归档的案卷不能再添加附件", code="not_allowed")
    if conduct_id is not None and petition.conduct.filter(pk=conduct_id, referral__isnull=False).exists():
        raise Forbidden("该行为记录已移送司法机关，不能再添加证据材料", code="forbidden")


UPLOAD_REFUSAL = "您没有为该信访事项上传附件的权限"
EVIDENCE_REFUSAL = "只有可以记录缠访闹访行为的人员上传证据材料"
# Actor kinds that work a case (permissions.actor_kinds), not mere read access: a previous agent
# (Reassignment) reads the petition they handled but adds nothing to it.
_UPLOADERS = frozenset({"case_agent", "station_agent", "station_leader", "center", "admin"})


def may_upload(user: User, petition: Petition) -> bool:
    """Whether `user` may add an attachment to `petition`: the staff-wide `upload` ability and an
    actor kind that works this case (_UPLOADERS), or a department with a 处置单 of it. Read access
    alone (a previous agent, abilities' `upload` role without the case) is not enough."""
    if not may(user, "upload"):
        return False
    if actor_kinds(user, petition) & _UPLOADERS:
        return True
    return bool(user.has_role(roles.DEPARTMENT) and user.department_id
                and petition.dispositions.filter(department_id=user.department_id).exists())


def may_upload_evidence(user: User, petition: Petition) -> bool:
    """Evidence of conduct after termination (kind `evidence`): only those who may record the
    conduct (the actors of action `record_conduct`, actions/aftercare.py); never a department."""
    from daiban.petitions.actions import ACTIONS

    return bool(actor_kinds(user, petition) & ACTIONS["record_conduct"].actors)


def _conduct_of(petition: Petition, kind: str, conduct: object) -> int | None:
    if conduct in (None, ""):
        if kind == Attachment.Kind.EVIDENCE:
            raise Invalid.of({"conduct": "证据材料须指明所属的行为记录"})
        return None
    raw = str(conduct).strip()
    wanted = int(raw) if ascii_digits(raw) and len(raw) <= 10 else 0
    if not 0 < wanted <= ID_MAX:  # a malformed id is a typing error, not a record that is missing
        raise Invalid.of({"conduct": f"行为记录应为记录编号（正整数），收到“{raw[:20]}”"})
    if not petition.conduct.filter(pk=wanted).exists():
        raise Invalid.of({"conduct": "行为记录不存在或不属于该信访事项"})
    return wanted


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed `check_upload`: its bytes, what they are and the name it is kept under."""

    data: bytes
    content_type: str
    ext: str
    name: str
    # For a photo kept in another format than it came in (_converted): what it came as ("HEIC",
    # "WebP") and the SHA-256 of the bytes received, which the timeline records.
    converted_from: str = ""
    received_sha256: str = ""


def check_upload(upload) -> CheckedUpload:
    """`_check_upload`, with every refusal naming the file it refuses (“IMG_1234.jpg”…): a portal
    form sends several photos and a refusal of one must say which (the others are fine)."""
    try:
        return _check_upload(upload)
    except Invalid as exc:
        shown = clean_line(getattr(upload, "name", "") or "")[:40]
        message = exc.fields.get("file", "")
        if not shown or not message or f"“{shown}”" in message:
            raise
        raise Invalid.of({**exc.fields, "file": f"“{shown}”：{message}"}) from exc


def _check_upload(upload) -> CheckedUpload:
    """Every check of one uploaded file, without writing anything: its size, that its bytes are a
    JPEG, PNG or PDF that opens (check_opens), or a HEIC or WebP photo, kept as JPEG or PNG
    (_converted); its name. Invalid naming `file`. Run it before a transaction (the portal does, for
    every file, before registering the petition): parsing untrusted bytes takes time that must not be
    spent holding the database's locks."""
    if upload is None:
        raise Invalid.of({"file": "请选择要上传的文件"})
    if upload.size > settings.DAIBAN_ATTACHMENT_MAX_BYTES:
        limit = settings.DAIBAN_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise Invalid.of({"file": f"文件不能超过{limit}MB"})
    upload.seek(0)
    data = upload.read()
    sniffed = _sniff(data[:16])
    if sniffed is None or not data:
        if _HEIF.match(data[:16]) or _WEBP.match(data[:16]):
            return _converted(data, upload.name)
        raise Invalid.of({"file": "只能上传JPG、PNG、HEIC、WebP图片或PDF文件"})
    content_type, ext = sniffed
    check_opens(data, content_type)
    return CheckedUpload(data, content_type, ext, attachment_name(upload.name, ext))


def _converted(data: bytes, raw_name: str | None) -> CheckedUpload:
    """A HEIC/HEIF or WebP photo as a JPEG (or a PNG, for a WebP with transparency or stored
    lossless): the formats Word, every browser and the case file's PDF show. Converted in a child
    process with its own memory and time limits (documents/convert.py: a crafted file has crashed
    libheif), drawn the way the phone shows it, without its metadata (the camera, the time, the place
    it was taken: GPS), its colour profile kept. Invalid naming `file` for a photo that does not
    decode, has more than MAX_IMAGE_PIXELS pixels (checked before decoding), or would be kept larger
    than DAIBAN_ATTACHMENT_MAX_BYTES (a small lossless WebP can unfold into a huge PNG).

    Why convert rather than refuse: a herder's phone takes HEIC by default and a photo shared from a
    chat app arrives as WebP; telling them to change the camera's settings lost the evidence."""
    from daiban.documents import convert

    shown = clean_line(raw_name or "")[:40]
    heif = bool(_HEIF.match(data[:16]))
    came_as = "HEIC" if heif else "WebP"
    try:
        kept = convert.convert(data, "heif" if heif else "webp", MAX_IMAGE_PIXELS)
    except convert.TooLarge as exc:
        raise Invalid.of({"file": "图片尺寸过大，请缩小后上传"}) from exc
    except convert.Unreadable as exc:
        raise Invalid.of({"file": f"照片“{shown}”已损坏或不是有效的{came_as}图片，无法打开"}) from exc
    ext = next(e for _, content_type, e in SIGNATURES if content_type == kept.content_type)
    limit = settings.DAIBAN_ATTACHMENT_MAX_BYTES
    if len(kept.data) > limit:
        raise Invalid.of({"file": f"照片“{shown}”转换为{ext[1:].upper()}后超过{limit // (1024 * 1024)}MB，请缩小后上传"})
    return CheckedUpload(kept.data, kept.content_type, ext, attachment_name(raw_name, ext),
                         converted_from=came_as, received_sha256=hashlib.sha256(data).hexdigest())


def store_attachment(petition: Petition, upload, *, kind: str, user: User | None,
                     conduct_id: int | None = None, checked: CheckedUpload | None = None,
                     guard: Callable[[Petition], None] | None = None) -> Attachment:
    """Check and keep one file (the caller has checked who may add it); `checked`: the file's
    `check_upload`, already done. `kind` "by_content": a photo for an image, a document for a PDF
    (the portal's uploads, which the petitioner does not classify). `guard(petition)`: run on the
    petition's locked row in the transaction that adds the file (it may raise to refuse it).

    The same file (bytes and name) sent again by the same uploader to the same petition (and conduct
    record) is the attachment already kept, returned with `repeated` True and no new row or event: a
    retry after a timeout, a double tap, a photo chosen twice. Only the uploader's own: another
    uploader's file is not theirs to learn of (departments do not see each other's uploads). The same
    bytes under another name are kept as another attachment (a copy filed as something else)."""
    checked = checked or check_upload(upload)
    data, content_type, ext, name = checked.data, checked.content_type, checked.ext, checked.name
    if kind == "by_content":
        kind = Attachment.Kind.PHOTO if content_type.startswith("image/") else Attachment.Kind.DOCUMENT
    if kind not in Attachment.Kind.values:
        raise Invalid.of({"kind": "附件类别无效"})
    digest = hashlib.sha256(data).hexdigest()
    stored = f"attachments/{digest[:2]}/{digest}{ext}"
    storage = private_storage()
    written = not storage.exists(stored)
    if written:
        storage.save(stored, ContentFile(data))
    try:
        with transaction.atomic():
            locked = Petition.objects.select_for_update().get(pk=petition.pk)  # two uploads at once: one row
            if guard is not None:
                guard(locked)
            earlier = Attachment.objects.filter(petition=petition, sha256=digest, name=name, uploaded_by=user,
                                                conduct=conduct_id).order_by("id").first()
            if earlier is not None:
                earlier.repeated = True  # type: ignore[attr-defined]
                return earlier
            attachment = _attached(petition, user, kind=kind, name=name, content_type=content_type, data=data,
                                   digest=digest, stored=stored, conduct_id=conduct_id, checked=checked)
    except Exception:
        # Refused (or failed) after the file was written: a file no row names is not kept (it may
        # hold personal data, and nothing would ever show or delete it).
        if written and not Attachment.objects.filter(stored_name=stored).exists():
            storage.delete(stored)
        raise
    return attachment


def _attached(petition: Petition, user: User | None, *, kind: str, name: str, content_type: str, data: bytes,
              digest: str, stored: str, conduct_id: int | None, checked: CheckedUpload) -> Attachment:
    """The attachment's row and its timeline entry (in the caller's transaction). A converted photo's
    entry says what it came as and keeps the received bytes' SHA-256 (what the petitioner sent)."""
    attachment = Attachment.objects.create(
        petition=petition, kind=kind, name=name, content_type=content_type, size=len(data), sha256=digest,
        stored_name=stored, uploaded_by=user, conduct_id=conduct_id,
    )
    note, facts = f"上传附件：{name}", {"attachment_id": attachment.pk, "sha256": digest}
    if checked.converted_from:
        note += f"（由{checked.converted_from}照片转换保存）"
        facts |= {"converted_from": checked.converted_from, "received_sha256": checked.received_sha256}
    Event.record(petition, "attach", actor=user, actor_name=PETITIONER_ACTOR, note=note, data=facts)
    return attachment


MAX_PDF_PAGES = 2000


# Actions that run something when a PDF is opened or touched: the case file keeps passive documents
# only (a page link, /GoTo, or a web link, /URI, is not among them).
_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute"})
# How many objects the search for active content looks at before it gives up and refuses the file:
# a crafted file's actions may point back at themselves or fan out without end.
PDF_WALK_LIMIT = 20_000


class _TooTangled(Exception):  # noqa: N818 (an outcome of the walk)
    pass


class _Walk:
    """One bounded walk over a PDF's objects: each indirect object visited once, PDF_WALK_LIMIT in
    all (_TooTangled past it)."""

    def __init__(self) -> None:
        self.seen: set[tuple[int, int]] = set()
        self.steps = 0

    def resolve(self, value: Any) -> Any:
        """The object `value` stands for, or None when it was visited already (a cycle, a shared
        object); counts the step."""
        self.steps += 1
        if self.steps > PDF_WALK_LIMIT:
            raise _TooTangled
        ref = getattr(value, "indirect_reference", None)
        if ref is None and hasattr(value, "idnum"):
            ref = value
        if ref is not None:
            key = (ref.idnum, ref.generation)
            if key in self.seen:
                return None
            self.seen.add(key)
        return value.get_object() if hasattr(value, "get_object") else value

    def dictionaries(self, first: Any, follow: tuple[str, ...]) -> Iterator[dict]:
        """Every dictionary reached from `first` (arrays are gone through) by the keys `follow`,
        each once: an action's chain (/Next), an outline (/First, /Next), a field tree (/Kids)."""
        pending = [first]
        while pending:
            node = self.resolve(pending.pop())
            if isinstance(node, list):
                pending.extend(node)
            elif isinstance(node, dict):
                yield node
                pending.extend(node[key] for key in follow if node.get(key) is not None)

    def runs_something(self, action: Any) -> bool:
        """Does this action, or one chained after it (/Next), run something?"""
        return any(item.get("/S") in _ACTIVE_ACTIONS or "/JS" in item for item in self.dictionaries(action, ("/Next",)))

    def triggers(self, holder: Any) -> bool:
        """Does this dictionary carry additional actions (/AA) or an action (/A) that runs something?"""
        return isinstance(holder, dict) and ("/AA" in holder or self.runs_something(holder.get("/A")))

    def tree(self, first: Any, follow: tuple[str, ...]) -> bool:
        """Walk an outline (/First, /Next) or a field tree (/Kids): does any node trigger something?"""
        return any(self.triggers(node) for node in self.dictionaries(first, follow))


def _active_content(reader: Any) -> bool:
    """Does the PDF carry scripts or actions run on opening or on a touch: document JavaScript, an
    opening action, additional actions (/AA) of the document, a page, an annotation, a bookmark or a
    form field, an XFA form? Read through pypdf, so names written in hex escapes (/J#61vaScript)
    are found as well. A file too tangled to walk within PDF_WALK_LIMIT objects counts as active."""
    walk = _Walk()
    try:
        root = walk.resolve(reader.trailer["/Root"])
        if not isinstance(root, dict):
            return False
        names = walk.resolve(root.get("/Names")) or {}
        if "/JavaScript" in names or "/AA" in root or walk.runs_something(root.get("/OpenAction")):
            return True
        outlines = walk.resolve(root.get("/Outlines"))
        if isinstance(outlines, dict) and walk.tree(outlines.get("/First"), ("/First", "/Next")):
            return True
        form = walk.resolve(root.get("/AcroForm"))
        if isinstance(form, dict) and ("/XFA" in form or walk.tree(form.get("/Fields"), ("/Kids",))):
            return True
        for page in reader.pages:
            if "/AA" in page:
                return True
            annotations = walk.resolve(page.get("/Annots")) or []
            for annotation in annotations if isinstance(annotations, list) else []:
                if walk.triggers(walk.resolve(annotation)):
                    return True
    except _TooTangled:
        return True
    return False


def check_opens(data: bytes, content_type: str) -> None:
    """Accept a file only if it opens as what its bytes claim: a PDF that pypdf parses with at least
    one page (not encrypted: the case file must be readable), an image that Pillow fully decodes
    with real dimensions under MAX_IMAGE_PIXELS. Invalid naming `file` otherwise.

    Parsers of untrusted bytes fail in many ways (their own errors, ValueError, struct errors, deep
    recursion), so any exception means "does not open"."""
    if content_type == "application/pdf":
        from pypdf import PdfReader

        try:
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise Invalid.of({"file": "PDF文件已加密，请上传未加密的文件"})
            pages = len(reader.pages)
            if pages:
                reader.pages[0].mediabox  # noqa: B018 (reading the first page proves the page tree)
            if pages <= MAX_PDF_PAGES and _active_content(reader):
                raise Invalid.of({"file": "PDF文件含有脚本或自动执行的操作，不能归入案卷；请用“打印为PDF”另存后再上传"})
        except Invalid:
            raise
        except Exception as exc:  # noqa: BLE001 (see the docstring)
            raise Invalid.of({"file": "PDF文件已损坏或不是有效的PDF，无法打开"}) from exc
        if not 1 <= pages <= MAX_PDF_PAGES:
            raise Invalid.of({"file": f"PDF文件应有1至{MAX_PDF_PAGES}页"})
        return
    import warnings

    from PIL import Image

    from daiban.documents.image_pages import load_whole

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise Invalid.of({"file": "图片尺寸过大，请缩小后上传"})
                expected = {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
                if image.format != expected:
                    raise Invalid.of({"file": "图片格式与文件内容不符"})
                load_whole(image)  # a truncated file refused even after WeasyPrint's import
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise Invalid.of({"file": "图片尺寸过大，请缩小后上传"}) from exc
    except Exception as exc:  # noqa: BLE001 (see the docstring)
        raise Invalid.of({"file": "图片已损坏或无法打开"}) from exc
    if width < 1 or height < 1:
        raise Invalid.of({"file": "图片已损坏或无法打开"})


NAME_MAX = 100  # characters of an attachment's file name, its extension included


def attachment_name(raw: str | None, ext: str) -> str:
    """A file name safe in pages, headers and the case file's zip: cleaned text (daiban.lib.text),
    no path, ending in the extension of what the bytes are. Invalid (field `file`) for a name
    holding U+FFFD (bytes that were not UTF-8) or longer than NAME_MAX: refused, never cut."""
    if undecodable(raw):
        raise Invalid.of({"file": "文件名" + UNDECODABLE_MESSAGE})
    name = clean_line(raw or "")
    name = name.replace("/", "_").replace("\\", "_").replace(":", "_").lstrip(". ")
    stem = name[: -len(ext)] if name.lower().endswith(ext) else name.rsplit(".", 1)[0] if "." in name else name
    stem = clean_line(stem) or "附件"  # a stem of only invisible characters (lib.text) is no name
    if len(stem) + len(ext) > NAME_MAX:
        # Django keeps at most 255 characters of an uploaded file's name: past that, the count is not known.
        count = f"超过{len(raw or '')}字" if len(raw or "") >= 255 else f"{len(stem) + len(ext)}字"
        raise Invalid.of({"file": f"文件名不能超过{NAME_MAX}字（现有{count}），请改名后再上传"})
    return windows_safe(stem + ext)


def attachment_visible(user: User, attachment_id: int) -> Attachment | None:
    found = Attachment.objects.filter(pk=attachment_id, petition__in=visible_petitions(user)).select_related(
        "petition").first()
    if found is None or department_view(user, found.petition) is None:
        return found
    return attachments_for(user, found.petition).filter(pk=found.pk).first()


def attachments_for(user: User, petition: Petition) -> QuerySet[Attachment]:
    """The petition's attachments this user may see: all, except, for a department-only viewer,
    another department's uploads (departments do not see each other's work) and the evidence of
    conduct. A department that must not learn who the petitioner is (permissions.identity_hidden: the
    unit complained about, or one whose `sees_identity` is off) sees its own uploads only: the
    petitioner's letters, scans and photos carry the name, signature and the place a photo was taken,
    and the petitioner's materials never go to the unit complained about (《信访工作条例》: 不得将信访人
    的检举、揭发材料以及有关情况透露或者转给被检举、揭发的人员或者单位)."""
    department = department_view(user, petition)
    qs = Attachment.objects.filter(petition=petition).order_by("id")
    if department is None:
        return qs
    # Evidence of 缠访闹访 after termination is the agency's and the judicial organs' business, not a
    # department's (it never sees the conduct records: may_upload_evidence, the detail's `conduct`).
    qs = qs.filter(conduct__isnull=True)
    if identity_hidden(user, petition):
        return qs.filter(uploaded_by__department_id=department)
    return qs.exclude(Q(uploaded_by__department_id__isnull=False) & ~Q(uploaded_by__department_id=department))


# --- case summary and archive -----------------------------------------------------------------------

URGINGS = Prefetch("urgings", queryset=Urging.objects.select_related("by").order_by("on", "id"))


def load_case(petition_id: int) -> Petition:
    """A petition with everything its documents print, in a fixed number of queries."""
    dispositions = Prefetch(
        "dispositions", queryset=Disposition.objects.select_related(
            "department", "petition__petitioner", "leader_opinion_by", "principal_by").prefetch_related(URGINGS)
    )
    return (
        Petition.objects.select_related("petitioner", "agent__station", "station")
        .prefetch_related(dispositions, "contacts", "reviews", "events", "attachments", "links__related",
                          "judicial_referrals__conduct__evidence", "double_investigations__assignee",
                          "double_investigations__review", "conduct__referral", "petitioner_corrections")
        .get(pk=petition_id)
    )


def build_archive(petition: Petition) -> bytes:
    """The case file's zip (see casefile.py for its order and its 卷内目录)."""
    return casefile.build_archive(petition)


def archive_freeze(petition_id: int) -> ArchiveFile:
    """Build the case file once, at archiving, and keep it; its SHA-256 is recorded on the timeline."""
    existing = ArchiveFile.objects.filter(petition_id=petition_id).first()
    if existing is not None:
        return existing
    petition = load_case(petition_id)
    data = build_archive(petition)
    digest = hashlib.sha256(data).hexdigest()
    stored = f"archives/{petition.number}-{digest[:12]}.zip"
    private_storage().save(stored, ContentFile(data))
    frozen = ArchiveFile.objects.create(petition=petition, sha256=digest, size=len(data), stored_name=stored)
    _clear_previews(petition_id)  # the frozen file is the case file now
    Event.record(petition, "archive_frozen", on=petition.archived_on, note=f"案卷已封存，SHA-256：{digest}",
                 data={"sha256": digest})
    return frozen


PREVIEWS = "previews"
QUEUED_FOR = datetime.timedelta(minutes=10)  # a build asked for is not asked again meanwhile


def preview_key(petition: Petition) -> str:
    """What the case file of a petition not yet archived is built from, as a name: its identity
    (id, number, creation: a restored or reset database reuses ids), its version and its last event
    (an attachment, a recomputed deadline: written without a new version). 32 hex digits."""
    last = Event.objects.filter(petition_id=petition.pk).order_by("-id").values_list("id", flat=True).first()
    stamp = petition.created_at.isoformat() if petition.created_at else ""
    return hashlib.sha256(f"{petition.pk}:{petition.number}:{stamp}:{petition.version}:{last}".encode()).hexdigest()[:32]


def _preview_path(petition_id: int, key: str, suffix: str = "zip") -> str:
    return f"{PREVIEWS}/{petition_id}-{key}.{suffix}"


def _clear_previews(petition_id: int, keep: str = "") -> None:
    """Remove the petition's previews (and their queue marks) but `keep`'s."""
    storage = private_storage()
    if not storage.exists(PREVIEWS):
        return
    for other in storage.listdir(PREVIEWS)[1]:
        if other.startswith(f"{petition_id}-") and not (keep and other.startswith(f"{petition_id}-{keep}.")):
            storage.delete(f"{PREVIEWS}/{other}")


def build_preview(petition_id: int, key: str) -> None:
    """Build the case file of a petition not yet archived, as it stands when its `preview_key` is
    `key` (the worker: `preview`). Nothing when the petition has moved on since (a later download
    asks for the newer one), was archived (the frozen file is the case file) or it is built already;
    the petition's other previews are removed."""
    storage = private_storage()
    petition = load_case(petition_id)
    if petition.status != Status.ARCHIVED and preview_key(petition) == key and not storage.exists(
            _preview_path(petition_id, key)):
        storage.save(_preview_path(petition_id, key), ContentFile(build_archive(petition)))
    _clear_previews(petition_id, keep=key if petition.status != Status.ARCHIVED else "")


@task()
def preview(petition_id: int, key: str) -> None:
    """The worker's task: the case file of a petition not yet archived, for a download."""
    build_preview(petition_id, key)


def _preview(petition: Petition) -> bytes | None:
    """The case file of a petition not yet archived, built by the worker as the petition stands
    (`preview_key`): None while it is being built (the download answers "not yet", as for an
    archived one). Building it takes seconds per document and minutes with many attachments: never
    in the request. Asked again while queued, it is not queued again (QUEUED_FOR)."""
    storage = private_storage()
    key = preview_key(petition)
    name, mark = _preview_path(petition.pk, key), _preview_path(petition.pk, key, "queued")
    if not storage.exists(name):
        fresh = storage.exists(mark) and timezone.now() - storage.get_modified_time(mark) < QUEUED_FOR
        if not fresh:
            if storage.exists(mark):
                storage.delete(mark)
            storage.save(mark, ContentFile(b""))
            preview.enqueue(petition.pk, key)
        if not storage.exists(name):  # an immediate backend (tests, a single process) built it already
            return None
    with storage.open(name, "rb") as handle:
        return handle.read()


ARCHIVE_DOUBLE_CHECK_REFUSAL = ("本案卷含一案双查查明情况，承办代办员不能下载；"
                                "请由代办服务中心、本站领导或一案双查责任人调阅")


def archive_for(user: User, petition_id: int) -> tuple[Petition, bytes | None]:
    """The case file for download: the frozen bytes once archived (None while the worker is still
    building it, see documents/archive.py); before that the case file as it stands, built by the
    worker too (None until it is). It holds full personal data, so only those who may see it get
    it (403 for the others who see the petition; 404 for those who do not); it holds the 一案双查 findings in full (documents/records.py), so of a
    petition with a 一案双查 only those who may see every item get it (double_checks.py: the center,
    the station's leaders, the assignee), never the agent whose handling was examined (403)."""
    petition = get_visible_petition(user, petition_id)
    if not may_see_personal_data(user, petition):
        raise Forbidden("案卷含信访人完整个人信息，只有承办代办员、本机构领导和代办服务中心可以下载", code="forbidden")
    checks = DoubleInvestigation.objects.filter(petition_id=petition.pk)
    if checks.exclude(pk__in=visible_double_checks(user).values("pk")).exists():
        raise Forbidden(ARCHIVE_DOUBLE_CHECK_REFUSAL, code="forbidden")
    if petition.status == Status.ARCHIVED:
        frozen = ArchiveFile.objects.filter(petition=petition).first()
        if frozen is None:
            return petition, None
        with private_storage().open(frozen.stored_name, "rb") as handle:
            data = handle.read()
    else:
        data = _preview(petition)
        if data is None:
            return petition, None
    PersonalDataView.objects.create(user=user, petition=petition, fields="archive", via="archive")
    return petition, data


# --- the ledger -------------------------------------------------------------------------------------

def ledger_file(user: User, *, start: datetime.date | None, end: datetime.date | None, station: int | None = None):
    """台账 of the petitions this user may see, received in [start, end] (default: this year to today),
    of `station` and the stations below it when one is given."""
    from daiban.documents.ledger import write_ledger

    today = timezone.localdate()
    start = start or today.replace(month=1, day=1)
    end = end or today
    for key, value in (("from", start), ("to", end)):
        if not 2000 <= value.year <= 2099:
            raise Invalid.of({key: "日期应在2000-01-01至2099-12-31之间"})
    if end < start:
        raise Invalid.of({"to": "结束日期不能早于开始日期"})
    petitions = visible_petitions(user).filter(received_on__gte=start, received_on__lte=end)
    if station:
        # The station with those below it (its village points), as the statistics count a station
        # (stats.queries.scope): the center's ledger is not empty, a township's holds its villages'.
        petitions = petitions.filter(station_id__in=sorted(stations_below(station)))
    handle = write_ledger(petitions, title=f"台账{start:%Y%m%d}-{end:%Y%m%d}", user=user, start=start, end=end)
    name = f"信访代办台账-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    audit.record(AuditAction.EXPORT_LEDGER, actor=user, label=name,
                 detail={"from": start.isoformat(), "to": end.isoformat(), "station": station or ""})
    return handle, name


SELECTED_MAX = 500  # rows of one "export selected": a page-by-page selection, not a data dump


def selected_ledger_file(user: User, ids: list[int]):
    """台账 of the petitions picked on the list (only those this user may see; at most SELECTED_MAX),
    with the same columns and masking as the ledger; audited like it. Raises Invalid when none is left."""
    from daiban.documents.ledger import write_ledger

    petitions = visible_petitions(user).filter(pk__in=ids[:SELECTED_MAX])
    count = petitions.count()
    if not count:
        raise Invalid.of({"ids": "请先勾选要导出的信访事项"})
    today = timezone.localdate()
    handle = write_ledger(petitions, title=f"所选信访事项{today:%Y%m%d}", user=user)
    name = f"信访事项（所选{count}件）-{today:%Y%m%d}.xlsx"
    audit.record(AuditAction.EXPORT_LEDGER, actor=user, label=name, detail={"selected": count})
    return handle, name


# --- printables for the wall ------------------------------------------------------------------------

PAPER = {"a4": "A4", "a3": "A3"}


def flowchart_pdf(size: str = "a4") -> bytes:
    """附件1 for the wall (A4 or A3, large type), then the workflow's state diagram as a technical page."""
    from daiban.documents import wallchart
    from daiban.documents.flowchart import svg

    return render_pdf("documents/flowchart.html", {"svg": svg(), "wall": wallchart.svg(),
                                                   "size": PAPER.get(size, "A4")})


def agent_board_pdf(size: str = "a4") -> bytes:
    """上墙公示: one page, a card per agent (photo or a placeholder, name, kind, station, 负责领域,
    phone) and the supervision line. Cards shrink as agents are added, so the page stays one."""
    import math

    from daiban.org.models import Agent

    agents = list(Agent.objects.in_post().select_related("station").order_by("kind", "id"))
    paper = PAPER.get(size, "A4")
    full = [a for a in agents if a.kind == Agent.Kind.FULL_TIME]
    part = [a for a in agents if a.kind == Agent.Kind.PART_TIME]
    columns = 5 if len(agents) <= 15 else 6 if len(agents) <= 30 else 8
    rows = math.ceil(len(full) / columns) + math.ceil(len(part) / columns)
    height = (420 if paper == "A3" else 297) - 24 - 48  # the page less margins, title, headings and the foot
    card = max(30, min(75, height / max(rows, 1) - 3))
    scale = 13 if paper == "A3" else 9
    return render_pdf("documents/board.html", {
        "full_time": full, "part_time": part, "size": paper, "columns": columns, "gaps": 3 * (columns - 1),
        "card_mm": round(card, 1), "photo_h": round(card * 0.42, 1), "photo_w": round(card * 0.32, 1), "scale": scale,
        "supervision_phone": settings.DAIBAN_SUPERVISION_PHONE, "bureau": settings.DAIBAN_BUREAU_NAME,
    })
