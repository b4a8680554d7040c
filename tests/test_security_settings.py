"""Production refuses unsafe set-ups; every page satisfies a strict Content-Security-Policy; logs go to
rotating files with personal data masked (issue 10)."""

from __future__ import annotations

import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from daiban.lib.logmask import MaskPersonalData, mask
from daiban.org.models import User

ROOT = Path(__file__).resolve().parent.parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The README's production settings (Production set-up), with a throw-away database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DAIBAN_", "REDIS_", "DATABASE_"))}
    env.update({
        "DAIBAN_ENV": "production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DAIBAN_VAR_DIR": str(tmp_path),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DAIBAN_DATA_KEY": secrets.token_hex(16),
        "DAIBAN_LOOKUP_KEY": secrets.token_hex(32),
        "DJANGO_ALLOWED_HOSTS": "xinfang.example.gov.cn",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://xinfang.example.gov.cn",
        "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO=https",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=120, check=False)


def test_check_deploy_passes_with_the_readme_settings(tmp_path):
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_shared_cache(tmp_path):
    """Actor: a deployer who forgot REDIS_URL (gunicorn -w 3 would count the portal's limits three times)."""
    env = _production_env(tmp_path)
    env.pop("REDIS_URL")
    result = _manage(env, "check")
    assert result.returncode != 0 and "REDIS_URL" in result.stderr


def test_a_cache_url_that_is_not_redis_is_refused_with_a_clear_message(tmp_path):
    """Actor: a deployer who left out the scheme (the first rate-limited request would fail). The
    value is not echoed: it may hold the Redis password."""
    result = _manage(_production_env(tmp_path, REDIS_URL=":s3cret-pw@10.0.0.5:6379/0"), "check")
    assert result.returncode != 0 and "REDIS_URL 应以 redis://" in result.stderr
    assert "s3cret-pw" not in result.stderr


def test_production_refuses_to_start_with_debug(tmp_path):
    result = _manage(_production_env(tmp_path, DJANGO_DEBUG="1"), "check")
    assert result.returncode != 0 and "DEBUG" in result.stderr


def test_no_template_has_inline_script_or_event_handlers():
    """Every script is a static file: the CSP allows no inline script (staff, portal, admin, documents)."""
    offenders = []
    for path in (ROOT / "daiban").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or INLINE_HANDLER.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize("path,username", [
    ("/", None), ("/submit/", None), ("/staff/login/", None), ("/admin/login/", None),
    ("/staff/", "agent1"), ("/staff/intake/", "agent1"), ("/staff/stats/", "center"), ("/staff/petitions/", "agent1"),
    ("/staff/calendar/", "agent1"), ("/staff/account/", "agent1"), ("/staff/audit/", "admin"), ("/admin/", "admin"),
    ("/api/v1/docs", None),
])
def test_pages_carry_a_strict_csp_and_satisfy_it(org, path, username, settings):
    settings.DAIBAN_PUBLIC_CAPTCHA_AFTER = 0
    client = Client()
    if username:
        client.force_login(User.objects.get(username=username))
    response = client.get(path)
    assert response.status_code == 200, path
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and "unsafe-inline" not in directives["style-src"]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), path
    assert not INLINE_HANDLER.search(html), path
    assert not re.search(r"<style[\s>]", html), path


def test_security_headers(org):
    response = Client().get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_log_filter_masks_id_and_phone_like_digit_runs():
    assert mask("身份证 150626199001011234 电话 13712345678") == "身份证 [已屏蔽18位] 电话 [已屏蔽11位]"
    assert mask("ID 15062619900101123X, 手机 137 1234 5678, 固话 0477-7612345") == \
        "ID [已屏蔽18位], 手机 [已屏蔽13位], 固话 0477-[已屏蔽7位]"
    # Petition numbers, dates and counts stay readable.
    assert mask("WS-2026-000123 于 2026-09-16 催办 3 次") == "WS-2026-000123 于 2026-09-16 催办 3 次"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "短信发送到 %s 失败", ("13712345678",), None)
    MaskPersonalData().filter(record)
    assert record.getMessage() == "短信发送到 [已屏蔽11位] 失败"


def test_logs_go_to_rotating_files_kept_180_days():
    handlers = django_settings.LOGGING["handlers"]
    for name in ("file", "security"):
        handler = handlers[name]
        assert handler["class"] == "concurrent_log_handler.ConcurrentTimedRotatingFileHandler"
        assert handler["when"] == "midnight" and handler["backupCount"] >= 180
        assert "mask_personal_data" in handler["filters"]
        assert Path(handler["filename"]).parent == django_settings.LOG_DIR
    logging.getLogger("daiban.security").warning("日志测试 13712345678")
    for handler in logging.getLogger("daiban.security").handlers:
        handler.flush()
    text = (django_settings.LOG_DIR / "security.log").read_text(encoding="utf-8")
    assert "日志测试 [已屏蔽11位]" in text and "13712345678" not in text
