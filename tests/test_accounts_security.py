"""Staff accounts to 等保 2.0 level 3 (issue 10): lockout over username variants, the second factor,
password rules, token and session revocation, session limits. Named actors throughout."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from daiban.api.models import ApiToken
from daiban.audit.models import Action, AuditEntry
from daiban.org import roles
from daiban.org.models import User
from tests.conftest import START, Api

PASSWORD = "daiban-demo"


def staff_login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/staff/login/", {"username": username, "password": password}, **extra)


def api_login(username: str, password: str = PASSWORD, otp: str | None = None, ip: str = "127.0.0.1"):
    body = {"username": username, "password": password, **({"otp": otp} if otp is not None else {})}
    return Api().post("/auth/token", body) if ip == "127.0.0.1" else _from(ip, body)


def _from(ip: str, body: dict):
    import json

    client = Client(REMOTE_ADDR=ip)
    response = client.post("/api/v1/auth/token", json.dumps(body), content_type="application/json")
    response.data = response.json()
    return response


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def person(username: str, *role_codes: str, password: str = "Wushen#Xinfang2026", **fields) -> User:  # noqa: S107
    """A real (non-demo) account, as an administrator would create it."""
    user = User(username=username, name=username, roles=",".join(role_codes), **fields)
    user.set_password(password)
    user.save()
    return user


# --- login failures (django-axes) -------------------------------------------------------------------

def test_username_variants_resolve_one_account(org):
    """Actor: agent10 types their name with a trailing space, in full width, in capitals: each is agent10."""
    for variant in ["agent10 ", "ａｇｅｎｔ１０", "AGENT10", " Agent10"]:
        client = Client()
        assert staff_login(client, variant).status_code == 302, variant
        assert client.get("/staff/").context["user"].username == "agent10"
        assert api_login(variant).status_code == 200, variant


def test_username_variants_are_locked_together(org):
    """Actor: someone guessing agent10's password, spelling the name five ways so each would get a
    fresh counter if the raw name were counted."""
    client = Client()
    for variant in ["agent10 ", "ａｇｅｎｔ１０", "AGENT10", "Agent10", " agent10"]:
        page = staff_login(client, variant, "wushen2026").content.decode()
    assert "登录失败次数过多" in page
    refused = staff_login(Client(), "agent10")
    assert refused.status_code == 429 and "登录失败次数过多" in refused.content.decode()
    assert api_login("ＡＧＥＮＴ１０").status_code == 429
    # Another account is not affected.
    assert staff_login(Client(), "agent11").status_code == 302


def test_locked_account_refused_with_the_right_password_until_the_cool_off_passes(org):
    """Actor: agent3 after five wrong passwords in the API, told in Chinese when to try again."""
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            assert api_login("agent3", "nope").status_code in (401, 429)
        locked = api_login("agent3")
        assert locked.status_code == 429 and locked.data["error"]["code"] == "locked"
        assert "10:15" in locked.data["error"]["message"] and "15 分钟" in locked.data["error"]["message"]
        page = staff_login(Client(), "agent3").content.decode()
        assert "请于 10:15" in page
        clock.shift(datetime.timedelta(minutes=14, seconds=50))
        assert api_login("agent3").status_code == 429  # tries during the lockout do not extend it …
        clock.shift(datetime.timedelta(seconds=20))
        assert api_login("agent3").status_code == 200  # … and it ends when it said it would
        assert staff_login(Client(), "agent3").status_code == 302


def test_one_client_guessing_many_accounts_is_stopped(org, settings):
    """Actor: a script at 10.0.0.66 trying one password on eleven accounts (issue: 99 of 99 were 401)."""
    settings.DAIBAN_LOGIN_CLIENT_FAILURE_LIMIT = 20
    answers = [api_login(f"agent{n % 11 + 1}", "Password123", ip="10.0.0.66").status_code for n in range(25)]
    assert answers[:19] == [401] * 19 and set(answers[19:]) == {429}  # the 20th failure locks
    assert api_login("agent12", ip="10.0.0.66").status_code == 429  # the client, whatever the account
    assert api_login("agent12", ip="10.0.0.67").status_code == 200  # the accounts elsewhere


def test_failures_lockout_and_unlock_are_audit_rows(org):
    """Actors: someone locking agent4 out, then the administrator unlocking it in /admin/."""
    for _ in range(5):
        staff_login(Client(), "agent4", "wrong-password")
    failures = AuditEntry.objects.filter(action=Action.LOGIN_FAILURE, actor_username="agent4")
    assert failures.count() == 5 and failures.first().ip == "127.0.0.1"
    assert AuditEntry.objects.filter(action=Action.LOCKOUT, actor_username="agent4").count() == 1
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    agent4 = User.objects.get(username="agent4")
    response = admin.post("/admin/org/user/", {"action": "unlock_login", "_selected_action": [agent4.pk]})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action=Action.UNLOCK, target_id=str(agent4.pk), actor_username="admin").exists()
    assert staff_login(Client(), "agent4").status_code == 302
    assert AuditEntry.objects.filter(action=Action.LOGIN_SUCCESS, actor_username="agent4").exists()


def test_admin_login_page_is_locked_too(org):
    """Actor: someone guessing the administrator's password on /admin/login/."""
    client = Client()
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "ADMIN", "password": "x", "next": "/admin/"})
    assert response.status_code == 429 and "登录失败次数过多" in response.content.decode()
    assert api_login("admin").status_code == 429


# --- second factor (django-otp) ---------------------------------------------------------------------

def test_admin_without_a_second_factor_cannot_reach_admin(org):
    """Actor: 王管理 (wang_admin), a real administrator account with no authenticator enrolled yet."""
    person("wang_admin", roles.ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    response = staff_login(client, "wang_admin", "Wushen#Xinfang2026")
    assert response.status_code == 302
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin.url.startswith("/staff/otp/setup/")
    assert client.get("/admin/org/user/").status_code == 302
    assert client.get("/staff/").url.startswith("/staff/otp/setup/")
    # Enrolment: the QR code is drawn by the server, then one code confirms it.
    page = client.get("/staff/otp/setup/?next=/admin/").content.decode()
    assert 'data-testid="otp-qr"' in page and "<svg" in page
    device = TOTPDevice.objects.get(user__username="wang_admin", confirmed=False)
    done = client.post("/staff/otp/setup/", {"token": code_for(device), "next": "/admin/"})
    codes = done.context["codes"]
    assert len(codes) == 10 and all(c in done.content.decode() for c in codes)
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action=Action.OTP_ENROLLED, actor_username="wang_admin").exists()


def test_enrolled_user_gives_the_code_after_the_password(org):
    """Actor: 李中心 (li_center), center staff with an authenticator; a backup code works once."""
    user = person("li_center", roles.CENTER, station=org.center)
    device = TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    client = Client()
    staff_login(client, "li_center", "Wushen#Xinfang2026")
    assert client.get("/staff/petitions/").url.startswith("/staff/otp/?next=")
    wrong = client.post("/staff/otp/", {"token": "123456", "next": "/staff/petitions/"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    # django-otp makes the next try wait a moment after a wrong code (its own throttle).
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    ok = client.post("/staff/otp/", {"token": code_for(device), "next": "/staff/petitions/"})
    assert ok.status_code == 302 and ok.url == "/staff/petitions/"
    assert client.get("/staff/petitions/").status_code == 200
    # The API asks for the same code.
    missing = api_login("li_center", "Wushen#Xinfang2026")
    assert missing.status_code == 401 and missing.data["error"]["code"] == "otp_required"
    bad = api_login("li_center", "Wushen#Xinfang2026", otp="000000" if code_for(device) != "000000" else "111111")
    assert bad.status_code == 401 and bad.data["error"]["code"] == "otp_invalid"
    from daiban.accounts import otp

    backup = otp.new_backup_codes(user)[0]
    assert api_login("li_center", "Wushen#Xinfang2026", otp=backup).status_code == 200
    assert api_login("li_center", "Wushen#Xinfang2026", otp=backup).status_code == 401  # used up
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_wrong_codes_count_towards_the_lockout(org):
    """Actor: someone with li_center's password guessing the six digits through the API."""
    user = person("li_center", roles.CENTER, station=org.center)
    TOTPDevice.objects.create(user=user, name="手机", confirmed=True)
    answers = [api_login("li_center", "Wushen#Xinfang2026", otp=f"{n:06d}").status_code for n in range(6)]
    assert answers[-1] == 429


def test_demo_accounts_sign_in_without_a_second_factor_unless_demo_otp(org, settings):
    """Actors: the demo `admin` and `center` (make run), with DEMO_OTP off and then on."""
    client = Client()
    staff_login(client, "admin")
    assert client.get("/admin/").status_code == 200
    assert api_login("center").status_code == 200
    settings.DEMO_OTP = True
    assert client.get("/admin/").url.startswith("/staff/otp/setup/")
    assert api_login("center").data["error"]["code"] == "otp_required"
    # Roles that do not require it are unaffected.
    assert api_login("agent1").status_code == 200


def test_required_roles_are_a_setting(org, settings):
    """Actor: agent5, when the bureau decides every agent must use a second factor."""
    settings.DAIBAN_OTP_REQUIRED_ROLES = ["admin", "center", "agent"]
    person("zhao_agent", roles.AGENT, station=org.bureau)
    assert api_login("zhao_agent", "Wushen#Xinfang2026").data["error"]["code"] == "otp_required"
    settings.DAIBAN_OTP_REQUIRED_ROLES = ["admin"]
    assert api_login("zhao_agent", "Wushen#Xinfang2026").status_code == 200


# --- passwords ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("weak", ["wushen2026", "daiban-demo", "Agent7!xyz1", "Password123", "short#A1"])
def test_weak_passwords_are_refused(org, weak):
    """Actor: agent7 choosing a new password on the staff password page."""
    client = Client()
    client.force_login(User.objects.get(username="agent7"))
    response = client.post("/staff/password/", {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
    assert response.status_code == 200 and response.context["form"].errors, weak
    assert User.objects.get(username="agent7").check_password(PASSWORD)


@pytest.mark.parametrize("interactive", [False, True])
def test_the_first_administrator_cannot_bypass_the_password_rules(db, monkeypatch, interactive):
    """Actor: the installer running `createsuperuser`, with DJANGO_SUPERUSER_PASSWORD or typing a weak
    password and answering "y" to Django's offer to bypass the rules: no account, the rules' message."""
    import io

    from django.core.management import CommandError, call_command

    if interactive:
        monkeypatch.setattr("getpass.getpass", lambda prompt="Password: ": "wushen2026")
        monkeypatch.setattr("builtins.input", lambda prompt="": "y")
        options = {"interactive": True, "username": "root_admin", "email": ""}
        monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    else:
        monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "wushen2026")
        options = {"interactive": False, "username": "root_admin", "email": ""}
    with pytest.raises(CommandError, match="密码"):
        call_command("createsuperuser", stdout=io.StringIO(), stderr=io.StringIO(), **options)
    assert not User.objects.filter(username="root_admin").exists()

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Wushen#Xinfang2026")
    call_command("createsuperuser", interactive=False, username="root_admin", email="", stdout=io.StringIO())
    assert User.objects.get(username="root_admin").is_superuser


def test_a_token_dies_with_a_password_change_and_so_do_other_sessions(org):
    """Actor: agent7 changes their password on one computer; the API token and the session on the
    other computer end, the session that changed it stays."""
    token = api_login("agent7").data["token"]
    other = Client()
    staff_login(other, "agent7")
    here = Client()
    staff_login(here, "agent7")
    assert Api(token).get("/me").status_code == 200 and other.get("/staff/").status_code == 200
    response = here.post("/staff/password/", {"old_password": PASSWORD, "new_password1": "Xinfang#Wushen26",
                                              "new_password2": "Xinfang#Wushen26"})
    assert response.status_code == 302
    assert Api(token).get("/me").status_code == 401
    assert other.get("/staff/").status_code == 302
    assert here.get("/staff/").status_code == 200
    agent7 = User.objects.get(username="agent7")
    assert agent7.password_changed_at is not None
    assert AuditEntry.objects.filter(action=Action.PASSWORD_CHANGE, target_id=str(agent7.pk)).exists()
    assert AuditEntry.objects.filter(action=Action.TOKEN_REVOKE, target_id=str(agent7.pk)).exists()


def test_deactivating_or_removing_a_role_revokes_tokens_and_sessions(org):
    """Actors: the administrator removes agent8's agent role, then deactivates agent9 in /admin/."""
    token8, token9 = api_login("agent8").data["token"], api_login("agent9").data["token"]
    session8 = Client()
    staff_login(session8, "agent8")
    agent8 = User.objects.get(username="agent8")
    agent8.roles = ""
    agent8.save()
    assert Api(token8).get("/me").status_code == 401 and session8.get("/staff/").status_code == 302
    role_change = AuditEntry.objects.get(action=Action.ROLE_CHANGE, target_id=str(agent8.pk))
    assert role_change.detail["before"] == ["agent"] and role_change.detail["after"] == []
    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    agent9 = User.objects.get(username="agent9")
    admin.post(f"/admin/org/user/{agent9.pk}/change/", {
        "username": "agent9", "password": agent9.password, "name": agent9.name, "role_choices": ["agent"],
        "station": agent9.station_id,
        "department": "", "is_staff": "", "is_superuser": "", "last_login_0": "", "last_login_1": "",
        "date_joined_0": "2026-09-16", "date_joined_1": "10:00:00",
    })
    assert not User.objects.get(pk=agent9.pk).is_active
    assert Api(token9).get("/me").status_code == 401
    assert not ApiToken.objects.filter(user=agent9, revoked_at__isnull=True).exists()
    # Giving a role does not revoke anything.
    token1 = api_login("agent1").data["token"]
    agent1 = User.objects.get(username="agent1")
    agent1.roles = "agent,duty_leader"
    agent1.save()
    assert Api(token1).get("/me").status_code == 200


def test_password_max_age_forces_a_change(org, settings):
    """Actor: agent2, whose password is older than the bureau's 90 days."""
    settings.DAIBAN_PASSWORD_MAX_AGE_DAYS = 90
    agent2 = User.objects.get(username="agent2")
    User.objects.filter(pk=agent2.pk).update(password_changed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    client = Client()
    client.force_login(agent2)
    response = client.get("/staff/petitions/")
    assert response.status_code == 302 and response.url.startswith("/staff/password/")
    assert client.get("/staff/password/").status_code == 200
    client.post("/staff/password/", {"old_password": PASSWORD, "new_password1": "Xinfang#Wushen26",
                                     "new_password2": "Xinfang#Wushen26"})
    assert client.get("/staff/petitions/").status_code == 200


# --- sessions ----------------------------------------------------------------------------------------

def test_an_idle_session_expires(org):
    """Actor: agent6 leaves the computer for 31 minutes."""
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        staff_login(client, "agent6")
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/staff/").status_code == 200
        clock.shift(datetime.timedelta(minutes=29))  # 29 minutes after the last request: still fine
        assert client.get("/staff/petitions/").status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get("/staff/petitions/")
        assert response.status_code == 302 and response.url == "/staff/login/?next=%2Fstaff%2Fpetitions%2F"
        assert "长时间未操作" in client.get(response.url).content.decode()
        assert client.get("/staff/").status_code == 302
        assert AuditEntry.objects.filter(action=Action.SESSION_EXPIRED, actor_username="agent6").exists()


def test_a_busy_session_still_ends_after_its_lifetime(org):
    """Actor: agent6, active every 20 minutes, past the 12-hour absolute lifetime."""
    with time_machine.travel(START, tick=False) as clock:
        client = Client()
        staff_login(client, "agent6")
        for _ in range(35):  # 11 h 40 min
            clock.shift(datetime.timedelta(minutes=20))
            assert client.get("/staff/").status_code == 200
        clock.shift(datetime.timedelta(minutes=21))
        assert client.get("/staff/").status_code == 302


def test_staff_pages_carry_the_session_limits_for_the_warning(org):
    client = Client()
    staff_login(client, "agent6")
    page = client.get("/staff/").content.decode()
    assert 'id="session-guard"' in page and 'data-idle-seconds="1800"' in page
    assert client.post("/staff/session/ping/").status_code == 204


def test_the_password_rules_speak_chinese_on_the_page_and_in_the_command(org, monkeypatch):
    """Django 5.2's own catalog lacks the new wording of "too short": the project's has it."""
    import io

    from django.core.management import CommandError, call_command

    client = Client()
    client.force_login(User.objects.get(username="agent7"))
    response = client.post("/staff/password/", {"old_password": PASSWORD, "new_password1": "Sh#1a",
                                                "new_password2": "Sh#1a"})
    errors = " ".join(str(e) for e in response.context["form"].errors.values())
    assert "密码太短，至少需要 10 个字符" in errors and "too short" not in errors, errors
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "short")
    with pytest.raises(CommandError) as refused:
        call_command("createsuperuser", interactive=False, username="root_admin", email="", stdout=io.StringIO())
    assert "密码太短" in str(refused.value) and "too short" not in str(refused.value)
