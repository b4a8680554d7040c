"""The archivist, round 12: one case file (一案一档) per case, read with the tools an archivist uses.

- every event has its Chinese name wherever events are shown (the case page's 办理过程, the case
  summary filed in the case file, the admin, the API's `action_label`): a correction of the
  petitioner's data (`petitioner_correction`) was printed under its code;
- the items of a case file sort in their order in any archive tool: the 序号 prefix has as many
  digits as the count needs (a case with 100 items filed 100 before 11, and its 99th item on the
  卷内备考表's name);
- an archive rebuilt from the same data says the same things: the case summary's header is the
  archive's date, not the moment it was built; the DOCX copies carry the same dates; the timeline
  of the case stops at its archiving (a failed build and its retry are the file's, not the case's).
"""

from __future__ import annotations

import ast
import csv
import datetime
import io
import pathlib
import re
import zipfile

import docx
from django.test import Client
from pypdf import PdfReader

from daiban.org.models import User
from daiban.petitions.actions import ACTIONS, DISPOSITION_ACTIONS
from daiban.petitions.events import event_labels
from tests.test_archive_worker import _run_worker, fail_every_build
from tests.test_documents import finished  # noqa: F401  (fixture)

ROOT = pathlib.Path(__file__).resolve().parent.parent / "daiban"
CJK = re.compile("[\u4e00-\u9fff]")


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _staff(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _recorded_actions() -> dict[str, str]:
    """Every event action the code appends by name — `events.record(petition, "…")`,
    `Event.record(…)`, double_checks' `_done(petition, user, "…")`, `Event(action="…")` in a bulk
    insert — with where."""
    found: dict[str, str] = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts or "management" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            literal = None
            if name in ("record", "_done") and len(node.args) >= 2:
                literal = node.args[1] if name == "record" else node.args[2] if len(node.args) >= 3 else None
            elif name == "Event":
                literal = next((k.value for k in node.keywords if k.arg == "action"), None)
            if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                found.setdefault(literal.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_event_the_code_records_has_a_chinese_name():
    labels = event_labels()
    recorded = _recorded_actions()
    assert "petitioner_correction" in recorded and "archive_frozen" in recorded  # the scan finds them
    # Recorded under a name held in a variable, which the scan does not read.
    named_apart = {"link": "eligibility", "unlink": "eligibility", "deadline_recomputed": "recompute"}
    every = {**recorded, **named_apart, **{a: "ACTIONS" for a in ACTIONS},
             **{f"disposition_{a}": "DISPOSITION_ACTIONS" for a in DISPOSITION_ACTIONS}}
    unnamed = {a: where for a, where in every.items() if not CJK.search(labels.get(a, ""))}
    assert not unnamed, f"events without a Chinese name: {unnamed}"
    assert labels["petitioner_correction"] == "更正信访人信息"


def test_a_correction_is_named_on_the_case_page_in_the_api_and_in_the_case_summary(api, accepted):
    p = accepted()
    corrected = api("agent1").post(f"/petitions/{p['id']}/petitioner/correction",
                                   {"address": "嘎鲁图镇布寨嘎查", "reason": "登记时地址写错"})
    assert corrected.status_code == 200, corrected.data
    event = corrected.data["events"][-1]
    assert event["action"] == "petitioner_correction" and event["action_label"] == "更正信访人信息"
    assert all(CJK.search(e["action_label"]) for e in corrected.data["events"])
    page = _staff("agent1").get(f"/staff/petitions/{p['id']}/").content.decode()
    assert "更正信访人信息" in page and "petitioner_correction" not in page
    file = api("agent1").get(f"/petitions/{p['id']}/archive.zip")
    assert file.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(file.content))
    summary = next(n for n in archive.namelist() if "案件摘要" in n)
    text = "".join(pdf_text(archive.read(summary)).split())
    assert "更正信访人信息" in text and "petitioner_correction" not in text


def _upload(api_client, petition_id: int, name: str, data: bytes, kind: str = "photo"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api_client.client.post(f"/api/v1/petitions/{petition_id}/attachments",
                                  {"file": SimpleUploadedFile(name, data), "kind": kind}, **api_client.headers)


def _members(data: bytes) -> list[str]:
    """The member names under the case file's folder, in the archive's own order."""
    return [n.split("/", 1)[1] for n in zipfile.ZipFile(io.BytesIO(data)).namelist()]


def test_a_case_file_of_more_than_99_items_sorts_in_its_order_by_name(api, accepted):
    """103 items (the summary, the 代办单, the 受理告知书, 100 photos): names sort in filing order in
    any archive tool (Windows Explorer, 7-Zip, `ls`), the 卷内备考表 after the last item."""
    from tests.factories import png_bytes

    p = accepted()
    agent = api("agent1")
    for i in range(100):
        assert _upload(agent, p["id"], f"现场照片{i + 1}.png", png_bytes(i + 2, 3)).status_code == 201
    file = agent.get(f"/petitions/{p['id']}/archive.zip")
    assert file.status_code == 200
    names = [n for n in _members(file.content) if "/" not in n]  # the DOCX copies apart
    rows = list(csv.reader(io.StringIO(zipfile.ZipFile(io.BytesIO(file.content)).read(
        f"{p['number']}/000c-卷内目录.csv").decode("utf-8-sig"))))[1:]
    assert len(rows) == 103
    filed = [row[7] for row in rows]  # the 卷内目录's order
    assert filed[0].startswith("001-") and filed[-1].startswith("103-")
    assert names == ["000a-案卷封面.pdf", "000b-卷内目录.pdf", "000c-卷内目录.csv", *filed, "999-卷内备考表.pdf"]
    assert names == sorted(names) and len(set(names)) == len(names)
    docx = [n for n in _members(file.content) if n.startswith("工作文件")]
    assert docx == sorted(docx) and all(re.match(r"工作文件（DOCX）/\d{3}-", n) for n in docx)


def test_a_small_case_file_keeps_its_two_digit_names(api, accepted):
    p = accepted()
    names = _members(api("agent1").get(f"/petitions/{p['id']}/archive.zip").content)
    assert names[:4] == ["00a-案卷封面.pdf", "00b-卷内目录.pdf", "00c-卷内目录.csv", "01-信访事项办理情况（案件摘要）.pdf"]
    assert names[-1].startswith("工作文件") and "99-卷内备考表.pdf" in names


def test_a_case_file_built_again_weeks_later_says_the_same_things(api, finished, monkeypatch, settings, clock):  # noqa: F811
    """The build at archiving fails (no Pango on the worker), gives up, and is asked again by a
    download three weeks later: the case file then made is the one that would have been made at
    archiving, byte for byte — the summary's header gives the archiving date (not the moment of the
    build), the DOCX copies the same dates, and the summary's timeline stops at 整理归档 (the failed
    build and its retry are the file's own events)."""
    from django_tasks import default_task_backend

    from daiban.documents import casefile
    from daiban.documents.models import ArchiveFile
    from daiban.documents.services import load_case

    pid = finished["id"]
    agent = api("agent1")
    agent.act(pid, "terminate", {"note": "群众基本满意"})
    agent.act(pid, "follow_up", {"note": "回访无反弹"})
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    queue = default_task_backend
    assert agent.act(pid, "archive").status_code == 200
    expected = casefile.build_archive(load_case(pid))  # what a build at archiving makes

    fail_every_build(queue, monkeypatch)
    assert not ArchiveFile.objects.filter(petition_id=pid).exists()
    clock.move_to("2026-10-09 15:30:00+08:00")
    assert agent.get(f"/petitions/{pid}/archive.zip").status_code == 202  # asks for the build again
    _run_worker(queue)
    built = agent.get(f"/petitions/{pid}/archive.zip")
    assert built.status_code == 200
    got, want = zipfile.ZipFile(io.BytesIO(built.content)), zipfile.ZipFile(io.BytesIO(expected))
    assert got.namelist() == want.namelist()
    assert [n for n in got.namelist() if got.read(n) != want.read(n)] == []
    assert built.content == expected
    summary = "".join(pdf_text(got.read(next(n for n in got.namelist() if "案件摘要" in n))).split())
    assert "归档日期：2026年9月16日" in summary and "生成时间" not in summary and "2026年10月9日" not in summary
    assert "案卷生成失败" not in summary and "重新生成案卷" not in summary and "整理归档" in summary
    docx_name = next(n for n in got.namelist() if n.endswith(".docx"))
    properties = docx.Document(io.BytesIO(got.read(docx_name))).core_properties
    assert properties.created == datetime.datetime(2026, 9, 15, 16, 0, tzinfo=datetime.UTC)  # 00:00 in Beijing
    assert {info.date_time for info in zipfile.ZipFile(io.BytesIO(got.read(docx_name))).infolist()} == {
        (2026, 9, 16, 0, 0, 0)}


def test_an_attachment_gone_or_changed_in_storage_is_told_as_it_is(api, accepted):
    """A file gone from storage is listed in the 卷内目录 without a file name (the archive holds
    none) and the 卷内备考表 says it is not in the volume (it said 原文件保留在卷内); a file whose
    bytes are no longer those uploaded (its recorded SHA-256) is filed as found and said to differ."""
    from django.core.files.base import ContentFile

    from daiban.documents.models import Attachment
    from daiban.documents.storage import private_storage
    from tests.factories import png_bytes

    p = accepted()
    agent = api("agent1")
    gone = _upload(agent, p["id"], "来信第一页.png", png_bytes(5, 5), kind="letter").json()["id"]
    changed = _upload(agent, p["id"], "现场照片.png", png_bytes(6, 5)).json()["id"]
    storage = private_storage()
    storage.delete(Attachment.objects.get(pk=gone).stored_name)
    other = storage.save("attachments/test-swapped.png", ContentFile(png_bytes(7, 5)))
    Attachment.objects.filter(pk=changed).update(stored_name=other)
    file = agent.get(f"/petitions/{p['id']}/archive.zip")
    assert file.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(file.content))
    root = p["number"]
    rows = list(csv.reader(io.StringIO(archive.read(f"{root}/00c-卷内目录.csv").decode("utf-8-sig"))))[1:]
    missing = next(r for r in rows if "来信第一页" in r[3])
    assert missing[6] == "文件缺失，无法打开" and missing[7] == "" and missing[5] == "—"
    altered = next(r for r in rows if "现场照片" in r[3])
    # An image, filed as its page: the 备注 also says where the original (as found) is kept.
    assert altered[6] == "文件与上传时的SHA-256校验值不一致；原图另存于“原件”文件夹" and altered[7] in _members(file.content)
    members = _members(file.content)
    assert all(r[7] in members for r in rows if r[7])
    note = "".join(pdf_text(archive.read(f"{root}/99-卷内备考表.pdf")).split())
    assert f"第{missing[0]}件附件：来信第一页.png（来信扫描件）：文件缺失，无法打开，未计页数，卷内无此文件" in note
    assert "原文件保留在卷内" not in note
    assert f"第{altered[0]}件附件：现场照片.png（照片）：文件与上传时的SHA-256校验值不一致，按现存文件归档" in note
    storage.delete(other)


HOSTILE_NAMES = [
    "../../etc/passwd.png", "..\\..\\boot.png", "现场" * 45 + ".png", "😀照片👨‍👩‍👧.png", "\u202egnp.exe",
    "abc\u200f\u202bdef.png", "证据.png", "证据.png", "CON.png", "a/b/c.png", ".hidden.png", "  .png",
    "名称\n换行.png", "tab\tname.png", "ملف.png", "fichie\u0301.png", "NUL", "=cmd|' /C calc'!A0.png", "证据.PNG",
    "照片" * 20 + ".png", "第二十一张.png", "最后一张.png",
]


def test_hostile_attachment_names_file_safely_and_no_index_entry_is_split_over_two_pages(api, accepted):
    """Names with ../, device names, bidi marks, emoji, new lines, 90 characters, twice the same:
    each member is one safe component under the case's folder, unique, at most 240 bytes, without
    bidi controls; each is listed in the 卷内目录; and no entry of the 卷内目录 is split over two
    pages (its 序号 and 页号 at the foot of one page, its 题名 at the head of the next)."""
    import pdfplumber

    from tests.factories import png_bytes

    p = accepted()
    agent = api("agent1")
    for i, name in enumerate(HOSTILE_NAMES):
        assert _upload(agent, p["id"], name, png_bytes(i + 3, 4)).status_code == 201, name
    file = agent.get(f"/petitions/{p['id']}/archive.zip")
    assert file.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(file.content))
    root = p["number"]
    names = archive.namelist()
    assert len(set(names)) == len(names)
    for name in names:
        parts = name.split("/")
        assert parts[0] == root and ".." not in parts and all(part.strip(". ") for part in parts), name
        assert all(len(part.encode()) <= 240 for part in parts), name
        assert not re.search("[\u200e\u200f\u202a-\u202e\u2066-\u2069\\\\:*?\"<>|\n\t]", name), name
    rows = list(csv.reader(io.StringIO(archive.read(f"{root}/00c-卷内目录.csv").decode("utf-8-sig"))))[1:]
    attachments = [r for r in rows if r[3].startswith("附件：")]
    assert len(attachments) == len(HOSTILE_NAMES) and all(r[7] in _members(file.content) for r in attachments)
    seen: list[str] = []
    with pdfplumber.open(io.BytesIO(archive.read(f"{root}/00b-卷内目录.pdf"))) as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            for table in page.extract_tables():
                for row in table[1:]:  # the header repeats on every page
                    number, title = (row[0] or "").strip(), (row[3] or "").strip()
                    assert number and title and (row[5] or "").strip(), f"an entry split over pages: {row}"
                    seen.append(number)
    assert seen == [str(i) for i in range(1, len(rows) + 1)]


def test_the_prefix_is_as_wide_as_the_count_needs():
    from daiban.documents.casefile import front_names, seq_width

    assert [seq_width(n) for n in (1, 9, 10, 98, 99, 100, 998, 999)] == [2, 2, 2, 2, 3, 3, 3, 4]
    assert front_names(98) == ("00a-案卷封面.pdf", "00b-卷内目录.pdf", "00c-卷内目录.csv", "99-卷内备考表.pdf")
    assert front_names(99)[3] == "999-卷内备考表.pdf" and front_names(99)[0] == "000a-案卷封面.pdf"
