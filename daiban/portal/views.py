"""掌上信访: the citizens' pages at /. Phone first; no personal data in URLs."""

from __future__ import annotations

import datetime
import secrets
import time

import segno
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from daiban.documents.flowchart import svg as flowchart_svg
from daiban.lib import ratelimit
from daiban.lib.errors import Conflict, Invalid, NotFound, RateLimited, ServiceError
from daiban.lib.validation import new_once_token, once_token
from daiban.org.models import Agent
from daiban.petitions import services as petitions
from daiban.petitions.workflow import EXCLUSIONS
from daiban.portal import services
from daiban.portal.forms import SubmitForm, TrackCaptchaForm

MAX_FILES = 5
# A photo larger than this is made smaller in the browser before it is sent (app.js, where the browser
# can draw it): a phone camera's 3–20 MB take minutes over a slow line. The server's limit stays
# DAIBAN_ATTACHMENT_MAX_BYTES.
PHOTO_SHRINK_BYTES = 2 * 1024 * 1024
# The form's fields and multipart headers around its files.
FORM_MARGIN = 512 * 1024


# The methods a portal page answers; another is 405 with `Allow` (as the staff pages and the API).
FORM_PAGE = require_http_methods(["GET", "HEAD", "POST"])


def submit_body_limit() -> int:
    """The largest body the submit form can send: MAX_FILES attachments at the limit and the form
    (the nginx example's client_max_body_size for /submit/ is at least this)."""
    return MAX_FILES * settings.DAIBAN_ATTACHMENT_MAX_BYTES + FORM_MARGIN


@require_safe
def home(request):
    agents = Agent.objects.in_post().select_related("station").order_by("kind", "id")
    return render(request, "portal/home.html", {
        "agents": agents, "exclusions": EXCLUSIONS.values(), "flowchart": flowchart_svg(),
    })


@FORM_PAGE
def submit(request):
    client = ratelimit.client(request)
    if request.method != "POST":
        return _submit(request, client)
    _ = request.POST, request.FILES  # the body is read before the lock: a slow upload must not hold it
    # Whether a CAPTCHA is due and the count it depends on are one step for a client: twelve posts
    # sent at once must not all be let through as the first two.
    with services.submitting(client):
        return _submit(request, client)


def _submit(request, client: str):
    needs_captcha = services.needs_captcha(client)
    if request.method == "POST" and request.POST.get("captcha_refresh"):
        # "看不清，换一张" without JavaScript: the same form again, as typed, with a new image.
        return _submit_page(request, SubmitForm(initial=request.POST.dict(), needs_captcha=needs_captcha), needs_captcha)
    once = once_token(request.POST.get("once")) if request.method == "POST" else ""
    browser = services.browser_mark(request.COOKIES.get(settings.CSRF_COOKIE_NAME))
    sent = services.submitted_with(once, browser)
    if sent is not None and services.same_complaint(sent.petition, request.POST.get("content")):
        # This form was sent already (a double tap, a retry, the back button): its answer again.
        return _sent_again(request, sent)
    if sent is not None:
        # The form was changed and sent again: another complaint, under a token of its own (the same
        # for the same changed text, so its own double tap is caught too).
        once = services.changed_token(once, request.POST.get("content"))
        sent = services.submitted_with(once, browser)
        if sent is not None:
            return _sent_again(request, sent)
    data = None
    if request.method == "POST":  # the form carries a valid token back, whatever was posted in it
        data = request.POST.copy()
        data["once"] = once or new_once_token()
    form = SubmitForm(data, request.FILES or None, needs_captcha=needs_captcha,
                      initial={"once": new_once_token()})
    limited: RateLimited | None = None
    if request.method == "POST":
        form.is_valid()
        # Every check in one answer, whatever else was refused (a CAPTCHA typed wrong): a second
        # round would cost the citizen a new CAPTCHA and their files again.
        files = request.FILES.getlist("files")
        if not form.cleaned_data.get("consent"):
            form.add_error("consent", "请阅读并同意个人信息保护告知")
        if len(files) > MAX_FILES:
            form.add_error(None, f"最多上传{MAX_FILES}个附件")
        try:
            petitions.validate_intake({"channel": "online", "source": "self", **form.service_data()})
        except Invalid as exc:
            form.add_service_errors(exc.fields)
    if request.method == "POST" and not form.errors:
        try:
            petition = services.submit(data=form.service_data(), client=client, files=files,
                                       agent_id=form.cleaned_data["agent_id"] or None,
                                       captcha_solved=needs_captcha,  # the form had it, and it was solved
                                       once=once, browser=browser)
        except Invalid as exc:
            form.add_service_errors(exc.fields)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            limited = exc
        except services.AlreadySubmitted as exc:
            if exc.sent is not None:
                return _sent_again(request, exc.sent)
            form.add_error(None, "该表单刚刚已提交，请勿重复提交")
        else:
            return _answer(request, petition)
    response = _submit_page(request, form, needs_captcha, status=429 if limited else 400 if form.errors else 200)
    return limited.stamp(response) if limited else response


def _submit_page(request, form: SubmitForm, needs_captcha: bool, status: int = 200):
    return render(request, "portal/submit.html", {
        "form": form, "needs_captcha": needs_captcha, "max_files": MAX_FILES, "shrink_bytes": PHOTO_SHRINK_BYTES,
        "max_bytes": settings.DAIBAN_ATTACHMENT_MAX_BYTES, "files_dropped": _files_dropped(request)}, status=status)


def _sent_again(request, sent):
    """A form sent again: the petition it registered, to the browser that sent it; anywhere else
    (the token copied or found), nothing about it."""
    if sent.same_browser:
        return _answer(request, sent.petition, again=True)
    messages.info(request, "这张表已经提交过。如要反映问题，请重新填写。")
    return redirect("portal:submit")


def _answer(request, petition, *, again: bool = False):
    """To the answer page of `petition`: its number, query code and the files as received (a part
    the browser sent that could not be read, a file name not in UTF-8, is dropped by the parser,
    and the petitioner must be able to see that it did not arrive). `again`: this form had been
    sent already, and the page says so."""
    received = list(petition.attachments.order_by("id").values_list("name", flat=True))
    request.session["portal_submitted"] = {"number": petition.number, "code": petition.query_code,
                                           "forward_due": (petition.national_forward_due_on.isoformat()
                                                           if petition.national_forward_due_on else ""),
                                           "files": received, "again": again,
                                           "by_phone": services.fixed_line(petition)}
    _remember_code(request, petition.number, petition.query_code)
    return redirect("portal:submitted")


def _files_dropped(request) -> int:
    """How many files the post carried that the form shown again cannot keep (a browser never refills
    a file input): the page says so beside it, or the petition would go in without them."""
    return len(request.FILES.getlist("files")) if request.method == "POST" else 0


@require_safe
def submitted(request):
    info = request.session.get("portal_submitted")
    if not info:
        return redirect("portal:submit")
    # The query code rides in the fragment, which browsers never send to a server (no logs, no
    # Referer): the status page asks for the code and its script fills it in from the fragment. The
    # QR code, scanned by another phone that may run no script, also carries a ticket (qr_url); the
    # link is for this browser, whose session holds the code already, and leaves the ticket unspent.
    status = reverse("portal:status", args=[info["number"]])
    url = request.build_absolute_uri(status) + f"#code={info['code']}"
    qr = segno.make(qr_url(request, info), error="m").svg_inline(scale=4, dark="#1a1a1a")
    try:  # shown as the tracking page shows dates: 2026年12月16日
        forward_due = datetime.date.fromisoformat(info.get("forward_due") or "")
    except ValueError:
        forward_due = None
    return _private(render(request, "portal/submitted.html", {"info": info, "track_url": url, "qr": qr,
                                                              "forward_due": forward_due}))


def qr_url(request, info: dict) -> str:
    """The address the answer page's QR code holds: /track/{number}/qr/{ticket}/#code={code}. The ticket
    (services.new_ticket, made once and kept in `info`, the session's answer) lets a browser without
    script reach the result (qr); the fragment lets one with script do so once the ticket is spent."""
    ticket = info.get("ticket")
    if not isinstance(ticket, str) or not ticket:
        ticket = services.new_ticket(info["number"])
        request.session["portal_submitted"] = {**info, "ticket": ticket}
    path = reverse("portal:qr", args=[info["number"], ticket]) if ticket else reverse("portal:status", args=[info["number"]])
    return request.build_absolute_uri(path) + f"#code={info['code']}"


CODES_KEY = "portal_codes"  # number → query code this browser proved it knows (kept out of URLs)
CODES_MAX = 20


CODE_MAX = 16  # Petition.query_code's length: anything longer is no query code and is not kept
CODE_REFUSED = f"查询码格式不正确（查询码不超过{CODE_MAX}位），请核对后重新输入"
# Posts of the track form per client and hour: each keeps a code in a session row, so without a
# bound one client could fill the session table (a real petitioner tracks a handful of petitions).
TRACKS_PER_HOUR = 120


def _plausible_code(code: str) -> bool:
    return 0 < len(code) <= CODE_MAX and code.isprintable()


def _refuse_code(request, number: str, code: str):
    """The answer refusing a code about to be kept in the session (the track form's post, a legacy
    ?code= link), or None: what cannot be a query code (400), or past the client's hourly allowance
    (429), since each keeps a code in a session row."""
    if not _plausible_code(code):
        return _track_page(request, number, CODE_REFUSED, 400)
    return _refuse_track(request, number)


def _refuse_track(request, number: str):
    """The 429 answer past the client's hourly allowance of codes kept in the session, or None (the
    allowance taken)."""
    try:
        ratelimit.take("portal_track", ratelimit.client(request), limit=TRACKS_PER_HOUR, window=3600,
                       message="查询过于频繁，请{wait}后再试")
    except RateLimited as exc:
        return _track_page(request, number, exc.message, 429, limited=exc)
    return None


def _remember_code(request, number: str, code: str) -> None:
    """Keep the code this browser proved for `number` in its session; what cannot be a query code
    is never stored (the callers refuse it first, with CODE_REFUSED)."""
    if not _plausible_code(code):
        return
    codes = dict(request.session.get(CODES_KEY, {}))
    codes.pop(number, None)
    codes[number] = code
    request.session[CODES_KEY] = dict(list(codes.items())[-CODES_MAX:])


def _forget_code(request, number: str) -> None:
    codes = dict(request.session.get(CODES_KEY, {}))
    if codes.pop(number, None) is not None:
        request.session[CODES_KEY] = codes


def _private(response):
    """Pages that show or carry a query code tell the browser to send no Referer onwards and to
    keep no copy (no disk cache, no proxy, no back-button replay after the session ends)."""
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def redirect_303(url: str) -> HttpResponseRedirect:
    """A 303 See Other to `url` (the browser fetches it with GET)."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


HUMAN_KEY = "portal_human"  # numbers for which this session solved the CAPTCHA, with the time
HUMAN_TTL = 1800


def _captcha_pass(request, number: str) -> str:
    """The pass of the CAPTCHA this session solved for this number in the last HUMAN_TTL seconds, or
    "". services.find lets one wrong code through on it and then spends it, in the shared store: the
    same session sending many guesses at once gets one through, not all."""
    entry = request.session.get(HUMAN_KEY, {}).get(number)
    if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], (int, float)):
        return ""
    at, token = entry
    return str(token) if time.time() - at < HUMAN_TTL else ""


def _set_human(request, number: str, yes: bool) -> None:
    passed = dict(request.session.get(HUMAN_KEY, {}))
    if yes:
        passed[number] = [time.time(), secrets.token_hex(16)]
    else:
        passed.pop(number, None)
    request.session[HUMAN_KEY] = passed


def _track_page(request, number: str, error: str, status: int, *, ask_captcha: bool = False,
                form: TrackCaptchaForm | None = None, limited: RateLimited | None = None, code: str = "",
                lost: bool = False):
    """The tracking form; `lost`: a number and code that did not match, where the help on finding
    the code (and whom to phone when it is lost) is set off."""
    context = {"number": number, "code": code, "error": error, "needs_captcha": ask_captcha,
               "captcha_form": form or (TrackCaptchaForm() if ask_captcha else None), "lost": lost,
               "station_phone": settings.DAIBAN_BUREAU_PHONE}
    response = render(request, "portal/track.html", context, status=status)
    return _private(limited.stamp(response) if limited else response)


# The tracking pages send no Referer (Referrer-Policy: no-referrer), so a browser posts their forms
# with "Origin: null" and Django's CSRF check would refuse them. They need none: every post carries
# the number and the query code themselves, which a forging site does not know (the code is the
# capability), and the session alone never authorises a post.
@csrf_exempt
@FORM_PAGE
def track(request):
    """The form asks for number and query code and posts them (never a URL with the code); older
    links with ?number=…&code=… still work and are sent on to the address without the code."""
    data = request.POST if request.method == "POST" else request.GET
    # As typed or pasted: a label, the receipt SMS whole, in either box (services.read_pasted).
    number, code = services.read_pasted(data.get("number", ""), data.get("code", ""))
    if data.get("captcha_refresh"):  # 看不清，换一张 without JavaScript
        return _track_page(request, number, "", 200, ask_captcha=True, code=code)
    if number and code:
        refused = _refuse_code(request, number, code)
        if refused is not None:
            return refused
        if "captcha_1" in data:
            form = TrackCaptchaForm(data)
            if not form.is_valid():
                if _captcha_pass(request, number) and request.session.get(CODES_KEY, {}).get(number) == code:
                    # The form sent twice (a double tap without script): the first solved it and
                    # this browser holds its pass for this number and code; its answer again (no new pass).
                    return _private(redirect(reverse("portal:status", args=[number])))
                return _track_page(request, number, "验证码不正确，请重新输入", 400, ask_captcha=True,
                                   form=TrackCaptchaForm(), code=code)  # as typed: only the CAPTCHA was wrong
            _set_human(request, number, True)
        _remember_code(request, number, code)
        return _private(redirect(reverse("portal:status", args=[number])))
    if request.method == "POST":
        # The boxes are not `required` (the receipt SMS pasted into one box fills both), so a post
        # without one is told which, with what was typed kept.
        missing = "编号和查询码" if not (number or code) else "编号" if not number else "查询码"
        return _track_page(request, number, f"请填写{missing}", 400, code=code, lost=not code,
                           ask_captcha="captcha_1" in data)
    return _private(render(request, "portal/track.html", {"number": number, "station_phone": settings.DAIBAN_BUREAU_PHONE}))


@csrf_exempt
@FORM_PAGE
def status(request, number: str):
    """One petition's progress. The query code comes from this browser's session (proved on the
    track form), or the form's post; a legacy ?code= link puts it into the session and is sent on
    (303) to the address without it. Without a code the page asks for it."""
    number = services.normalise_number(number)
    if not number:  # nothing of the address is a number ("/track/％/"): the form asks for one
        return _private(redirect_303(reverse("portal:track")))
    if request.method != "POST" and services.normalise_code(request.GET.get("code")):
        # A link with ?code=…: the code goes into this browser's session (as the track form's post
        # does) and the address bar, history and bookmarks get the address without it.
        linked = services.normalise_code(request.GET["code"])
        refused = _refuse_code(request, number, linked)
        if refused is not None:
            return refused
        _remember_code(request, number, linked)
        return _private(redirect_303(reverse("portal:status", args=[number])))
    if request.method == "POST":  # never on the session's word alone (see above)
        code = services.normalise_code(request.POST.get("code", "") or request.GET.get("code", ""))
    else:
        code = request.session.get(CODES_KEY, {}).get(number, "")
    if not code:
        return _track_page(request, number, "", 200)
    client = ratelimit.client(request)
    captcha_pass = _captcha_pass(request, number)
    typed = code if request.method == "POST" else ""
    error = ""
    try:
        petition = services.find(number, code, client, captcha_pass=captcha_pass)
    except services.CaptchaRequired as exc:
        return _track_page(request, number, exc.message, 429, ask_captcha=True, limited=exc, code=typed)
    except NotFound:
        if captcha_pass:
            _set_human(request, number, False)  # each further try needs a new CAPTCHA
        _forget_code(request, number)
        # As typed (a code posted, never one from the session): one wrong character is corrected, not retyped.
        return _track_page(request, number, "编号或查询码不正确", 404, code=typed, lost=True)
    except RateLimited as exc:
        return _track_page(request, number, exc.message, 429, limited=exc, code=typed)
    if request.method == "POST":
        try:
            if request.POST.get("do") == "rate":
                services.rate(petition, request.POST.get("satisfaction", ""))
                messages.success(request, "感谢您的评价！您的意见已记录，将用于改进我们的工作。")
            elif request.POST.get("do") == "review":
                services.request_review(petition, request.POST.get("reason", ""))
            else:
                raise Http404
        except (Conflict, Invalid) as exc:
            error = "；".join(exc.fields.values()) if isinstance(exc, Invalid) and exc.fields else exc.message
        except ServiceError as exc:
            error = exc.message
        else:
            _remember_code(request, number, code)
            return _private(redirect(request.path))
        petition.refresh_from_db()
    # A refused review keeps its reason as typed (too long: shortened, not retyped).
    reason = request.POST.get("reason", "") if request.method == "POST" and error else ""
    return _private(render(request, "portal/status.html",
                           {"p": services.public_view(petition), "error": error, "code": code, "reason": reason},
                           status=400 if error else 200))


@csrf_exempt  # as the tracking pages: the ticket is the capability, the session never is (see track)
@FORM_PAGE
def qr(request, number: str, ticket: str):
    """The answer page's QR code, opened by a browser with or without script. A live ticket
    (services.open_ticket): a page whose one button posts it back; opening it spends nothing (a link
    preview fetching the address leaves it to the person). The post spends it (services.use_ticket),
    keeps the petition's code in this browser's session as the track form's post does, and sends on
    (303) to the status page, whose address has neither ticket nor code. A used, expired or unknown
    ticket: on to the status page, which asks for the code (its script takes it from the fragment,
    which a redirect keeps). The query code never travels in an address."""
    number = services.normalise_number(number)
    if not number:
        return _private(redirect_303(reverse("portal:track")))
    status_url = reverse("portal:status", args=[number])
    if request.method == "POST":
        refused = _refuse_track(request, number)
        if refused is not None:
            return refused
        petition = services.use_ticket(number, ticket)
        if petition is None:
            return _spent_ticket(request, number, status_url)
        _remember_code(request, number, petition.query_code)
        return _private(redirect_303(status_url))
    if not services.open_ticket(number, ticket):
        return _spent_ticket(request, number, status_url)
    return _private(render(request, "portal/qr.html", {"number": number, "action": request.path}))


# Said on the track form after a used or expired ticket, for a browser without script too: the code is
# in the QR code's address after #code=, which the redirect keeps in the address bar (never sent here).
SPENT_TICKET = ("这个二维码已经用过或已过期，请输入查询码查询。查询码就是浏览器地址栏中“#code=”后面的字符，"
                "也在提交成功的页面、短信和纸质回执上。")


def _spent_ticket(request, number: str, status_url: str):
    """A used, expired or unknown ticket (opened or posted): on (303) to the status page. The browser
    that used it keeps the code in its session (the track form's proof), so a second scan on the
    same phone shows the result with or without script; any other is told where the code is
    (SPENT_TICKET): no page without script can read the address's fragment, and the ticket is spent
    because its address may be in a log, so the code is never taken from it."""
    if not request.session.get(CODES_KEY, {}).get(number):
        messages.info(request, SPENT_TICKET)
    return _private(redirect_303(status_url))
