"""The audit trail reads in Chinese (newcomer's finding: /staff/audit/ showed `via=staff` and
`fields=id_number,phone；via=petitioner_profile`, the admin `archive archive`): every key and code an
app writes into an audit row's detail is named, on the page, in the XLSX and in the admin."""

from __future__ import annotations

import ast
import io
import pathlib
import re

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from daiban.audit import labels
from daiban.audit.models import Action, AuditEntry
from daiban.audit.services import record
from daiban.org.models import User

ROOT = pathlib.Path(__file__).resolve().parent.parent / "daiban"


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _written_detail() -> tuple[set[str], dict[str, set[str]]]:
    """Every literal key of a `detail={...}` the code writes, and the literal string values."""
    keys: set[str] = set()
    values: dict[str, set[str]] = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                # via="intake", via="ledger"…: where a full view or a search happened (detail["via"]).
                if keyword.arg == "via" and isinstance(keyword.value, ast.Constant) and keyword.value.value \
                        and not keyword.value.value.endswith("-"):
                    values.setdefault("via", set()).add(keyword.value.value)
                if keyword.arg == "detail" and isinstance(keyword.value, ast.Dict):
                    for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                        if isinstance(key, ast.Constant):
                            keys.add(key.value)
                            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                                values.setdefault(key.value, set()).add(value.value)
    return keys, values


def test_every_detail_key_and_code_the_code_writes_has_a_chinese_name():
    """Actor: a developer adding an audit row with a new key: this test names what is missing."""
    keys, values = _written_detail()
    assert {"via", "reason", "fields", "kind"} <= keys  # the scan sees the code
    assert {"intake", "ledger", "archive", "list"} <= values["via"]
    ascii_word = re.compile(r"[A-Za-z_]")
    for key in keys:
        assert not ascii_word.search(labels.KEYS.get(key, key)), f"audit detail key without a Chinese name: {key}"
    for key, codes in values.items():
        for code in codes:
            shown = labels.value_label(key, code)
            assert shown != code or not ascii_word.search(code), f"audit detail {key}={code} has no Chinese name"


def test_known_rows_read_in_chinese():
    assert labels.describe({"via": "staff"}) == "途径：员工页面"
    assert labels.describe({"fields": "id_number,phone", "via": "petitioner_profile"}) == "途径：信访人档案；查看项目：身份证号、电话"
    assert labels.describe({"fields": "archive", "via": "archive"}) == "途径：案卷；查看项目：案卷"
    assert labels.describe({"via": "page-agency.docx"}) == "途径：页面·代办单（DOCX）"
    assert labels.describe({"via": "api", "reason": "otp", "locked": True}) == "途径：接口；原因：动态验证码错误；已锁定：是"
    assert labels.describe({"before": ["agent", "duty_leader"], "after": [], "active": False}) == \
        "原角色：代办员、带班领导；新角色：无；启用：否"
    assert labels.target_type_label("petitioner") == "信访人" and labels.target_type_label("calendar") == "工作日历"
    # The roster's rows (roster.audit_changes: its keyword arguments become keys).
    assert labels.describe({"how": "手工调整", "note": "换班", "month": "2026-11", "count": 1}) == \
        "方式：手工调整；月份：2026-11；数量：1；说明：换班"
    assert labels.target_type_label("roster") == "带班与接访安排" and labels.target_type_label("station") == "代办服务机构"
    # A key nobody named yet still shows, as written, rather than disappearing.
    assert labels.describe({"novel": "x"}) == "novel：x"


def test_audit_page_and_xlsx_show_details_in_chinese_and_keep_the_raw_record(org):
    """Actor: the center's auditor reading sign-ins and full views of personal data."""
    admin = User.objects.get(username="admin")
    record(Action.LOGIN_SUCCESS, actor=admin, target=admin, label="admin", detail={"via": "staff"})
    record(Action.PERSONAL_DATA_VIEW, actor=admin, target_type="petitioner", target_id=1, label="信访人#1",
           detail={"fields": "id_number,phone", "via": "petitioner_profile"})
    center = signed_in("center")
    page = center.get("/staff/audit/").content.decode()
    assert "途径：员工页面" in page and "途径：信访人档案；查看项目：身份证号、电话" in page
    assert "via=" not in page and "petitioner_profile" not in page
    response = center.get("/staff/audit.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[7] == "详情" and header[8] == "详情（原始记录）" and header[9] == "哈希（SM3）"
    shown = {row[7] for row in rows[1:]}
    assert "途径：信访人档案；查看项目：身份证号、电话" in shown
    assert any(row[4] == "信访人" and '"via": "petitioner_profile"' in row[8] for row in rows[1:])


def test_admin_lists_name_the_via_and_the_fields(org, new_petition):
    """Actor: the administrator in /admin/ reading the full views of personal data and the audit trail."""
    from daiban.petitions.models import PersonalDataView

    admin = signed_in("admin")
    PersonalDataView.objects.create(user=User.objects.get(username="center"), petition_id=new_petition()["id"],
                                    fields="archive", via="archive")
    page = admin.get("/admin/petitions/personaldataview/").content.decode()
    assert "archive archive" not in page and "<td class=\"field-fields_label\">案卷</td>" in page
    assert ">案卷</a>" in page  # the 查看途径 filter names the code
    record(Action.LOGIN_SUCCESS, actor=User.objects.get(username="admin"), detail={"via": "admin"})
    audit = admin.get("/admin/audit/auditentry/").content.decode()
    assert "途径：管理后台" in audit


def test_load_demo_again_does_not_hash_passwords_and_says_where_the_password_comes_from(org, monkeypatch):
    """A second `make run` on the same database: the accounts exist, so no PBKDF2 for 24 of them (it was
    18 s of every start), and a DEMO_PASSWORD set now is not claimed to be the accounts' password."""
    calls = []
    import daiban.org.management.commands.load_demo as load_demo

    monkeypatch.setattr(load_demo, "make_password", lambda raw: calls.append(raw) or make_password(raw))
    call_command("load_demo", "--quiet")
    assert calls == []
    monkeypatch.setenv("DEMO_PASSWORD", "another-secret")
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert calls == [] and "another-secret" not in out.getvalue()
    assert "首次创建账号时" in out.getvalue()
    assert AuditEntry.objects.filter(action=Action.PASSWORD_CHANGE).count() == 0


def test_background_tasks_admin_names_its_columns_tasks_and_queue(org):
    """Actor: the administrator checking the worker at /admin/django_tasks_database/dbtaskresult/ (it
    showed "Task name", run_consumer and "default")."""
    from django_tasks_db.models import DBTaskResult

    # As the database backend queues an event's followers in production (tests run them at once).
    DBTaskResult.objects.create(task_path="daiban.petitions.events.run_consumer", args_kwargs={"args": [], "kwargs": {}},
                                queue_name="default", backend_name="default", priority=0)
    page = signed_in("admin").get("/admin/django_tasks_database/dbtaskresult/").content.decode()
    assert "Task name" not in page and "任务名称" in page and "事件后续处理" in page
    assert "<td class=\"field-queue_label\">默认队列</td>" in page
