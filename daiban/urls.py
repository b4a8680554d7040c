from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static as static_url
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from daiban.api.main import api
from daiban.org import roles
from daiban.staff.views.auth import AdminLoginForm

admin.site.site_header = "信访代办 管理后台"
admin.site.site_title = "信访代办"
admin.site.index_title = "基础数据"
admin.site.login_form = AdminLoginForm  # same lockout message as the staff login


def _administrator(request) -> bool:
    """/admin/ is the system administrator's (reference data, the calendar, accounts): the role, not
    Django's is_staff flag alone, so a second factor the role requires (DAIBAN_OTP_REQUIRED_ROLES) is
    never skipped by an account given is_staff and model permissions."""
    user = request.user
    return bool(user.is_active and user.is_authenticated and user.has_role(roles.ADMIN))


admin.site.has_permission = _administrator  # type: ignore[method-assign]


@csrf_exempt  # the API takes tokens, not cookies: a POST to a mistyped path is a 404, not a CSRF page
def api_not_found(request, rest=""):
    # Unknown API paths answer in the API's error format, not with an HTML page.
    return JsonResponse({"error": {"code": "not_found", "message": "接口不存在", "fields": {}}}, status=404)


def favicon(request):
    # Browsers ask for /favicon.ico whatever the page links; the icon is a static file of the app.
    return HttpResponsePermanentRedirect(static_url("daiban/favicon.ico"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("", include("daiban.portal.urls")),
    path("staff/", include("daiban.staff.urls")),
    path("admin/", admin.site.urls),
    path("captcha/", include("captcha.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/v1/(?P<rest>.*)$", api_not_found),
]

# Uploaded files (agents' photos) in development; production serves MEDIA_ROOT from the web server.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
