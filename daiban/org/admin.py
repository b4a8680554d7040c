from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from daiban.org import roles
from daiban.org.models import Agent, Department, Station, User


class UserForm(forms.ModelForm):
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
    list_display = ("username", "name", "roles", "station", "department", "is_active")
    list_filter = ("is_active", "station", "department")
    search_fields = ("username", "name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("工作信息", {"fields": ("name", "role_choices", "station", "department")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("时间", {"fields": ("last_login", "date_joined")}),
    )


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent", "is_township")
    list_filter = ("level",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "phone", "active", "sees_identity")
    list_filter = ("kind", "active", "sees_identity")


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "station", "title", "office_phone", "active")
    list_filter = ("kind", "station", "active")
    search_fields = ("name",)
