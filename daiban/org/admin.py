from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from daiban.accounts import lockout, otp
from daiban.audit.models import Action
from daiban.audit.services import record
from daiban.lib.adminforms import CleanModelForm
from daiban.org import roles
from daiban.org.models import Agent, Department, Station, User

# django-otp's device tables show raw secrets under English labels; an administrator resets a lost
# phone with the user's action below (重置双因素认证), never by editing a device.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)


class UserForm(CleanModelForm):
    role_choices = forms.MultipleChoiceField(
        label="角色", choices=roles.CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = User
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role_choices"].initial = [r for r in self.instance.roles.split(",") if r]

    def clean(self):
        data = super().clean()
        self.instance.roles = ",".join(data.get("role_choices") or [])
        return data


@admin.register(User)
class DaibanUserAdmin(UserAdmin):
    form = UserForm
    list_display = ("username", "name", "role_labels", "station", "department", "is_active", "is_demo")
    list_filter = ("is_active", "station", "department", "is_demo")
    search_fields = ("username", "name")
    readonly_fields = ("password_changed_at", "is_demo")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("工作信息", {"fields": ("name", "role_choices", "station", "department")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser", "is_demo")}),
        ("时间", {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )
    actions = ["unlock_login", "reset_second_factor"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Accounts are deactivated (取消“有效”), never deleted: the timeline, the audit trail and every
        # signed opinion name the account that acted (petitions.audit_hooks refuses it elsewhere too).
        return False

    @admin.display(description="角色", ordering="roles")
    def role_labels(self, obj: User) -> str:
        """The roles by their Chinese names (the field stores codes such as duty_leader)."""
        return "、".join(roles.LABELS.get(r, r) for r in obj.roles.split(",") if r) or "—"

    @admin.action(description="解除登录锁定")
    def unlock_login(self, request, queryset):
        for user in queryset:
            removed = lockout.unlock(user.get_username())
            record(Action.UNLOCK, target=user, label=user.get_username(), detail={"attempts_cleared": removed})
        messages.success(request, f"已解除 {queryset.count()} 个账号的登录锁定。")

    @admin.action(description="重置双因素认证（手机丢失时）：下次登录重新绑定")
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            removed = otp.remove_all(user)
            record(Action.OTP_REMOVED, target=user, label=user.get_username(), detail={"devices": removed})
        messages.success(request, f"已重置 {queryset.count()} 个账号的双因素认证。")


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    form = CleanModelForm
    list_display = ("name", "code", "level", "parent", "is_township")
    list_filter = ("level",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = CleanModelForm
    list_display = ("name", "kind", "phone", "active", "sees_identity")
    list_filter = ("kind", "active", "sees_identity")


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    form = CleanModelForm
    list_display = ("name", "kind", "station", "title", "office_phone", "active")
    list_filter = ("kind", "station", "active")
    search_fields = ("name",)
