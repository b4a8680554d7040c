from __future__ import annotations

from django import forms

from daiban.lib.text import CleanFormMixin
from daiban.org.models import Agent
from daiban.portal import captcha


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class SubmitForm(CleanFormMixin, forms.Form):
    name = forms.CharField(label="姓名", max_length=50, required=False)
    # No phone keyboard's corrections on a number (an ID number's x made X, not a word).
    id_number = forms.CharField(label="身份证号", max_length=40, required=False, widget=forms.TextInput(attrs={
        "autocomplete": "off", "autocapitalize": "characters", "autocorrect": "off", "spellcheck": "false"}))
    phone = forms.CharField(label="联系电话（手机或固定电话）", max_length=40, required=False,
                            help_text="短信只能发到手机。留固定电话的，收不到短信，我们会打电话告诉您。",
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    address = forms.CharField(label="住址", max_length=200, required=False)
    content = forms.CharField(label="反映的问题及诉求", required=False, widget=forms.Textarea(attrs={"rows": 6}),
                              help_text="请写清楚什么事、在哪里、涉及谁，以及您希望怎样解决。")
    agent_id = forms.ChoiceField(label="选择代办员（可不选，由我们指定）", required=False, error_messages={
        "invalid_choice": "所选代办员不存在或已调整，请重新选择（也可不选，由我们指定）"})
    consent = forms.BooleanField(label="我已阅读并同意《个人信息保护告知》", required=False)
    # One-time token of this form (views.submit): the same form sent twice registers one petition.
    once = forms.CharField(required=False, widget=forms.HiddenInput)  # checked by the view (lib.validation.once_token)

    FIELD_MAP = {"petitioner.name": "name", "petitioner.id_number": "id_number", "petitioner.phone": "phone",
                 "petitioner.address": "address"}

    def __init__(self, *args, needs_captcha: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_captcha:
            self.fields["captcha"] = captcha.field()
        agents = Agent.objects.in_post().select_related("station").order_by("kind", "id")
        # Blank first and selected: a petitioner who picks no one is assigned one, and intake records
        # a choice only when one was made ("信访人选择代办员 …").
        choices = [("", "不选择（由我们指定）")] + [
            (str(a.pk), f"{a.name}（{a.get_kind_display()}，{a.station.name}）") for a in agents]
        self.fields["agent_id"].choices = choices  # type: ignore[attr-defined]  # a ChoiceField
        for name, field in self.fields.items():
            if name == "captcha":
                continue
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else (
                "form-select" if isinstance(field.widget, forms.Select) else "form-control")
            field.widget.attrs.setdefault("class", css)

    def service_data(self) -> dict:
        """What intake is given. On a form refused for something else (its CAPTCHA), the fields
        that passed, so their own checks are told in the same answer, not after a second try."""
        d = self.cleaned_data
        return {"petitioner": {"name": d.get("name", ""), "id_number": d.get("id_number", ""),
                               "phone": d.get("phone", ""), "address": d.get("address", "")},
                "content": d.get("content", "")}

    def add_service_errors(self, fields: dict[str, str]) -> None:
        """Intake's refusals on the form's fields; none on a field the form refused already."""
        for key, message in fields.items():
            name = self.FIELD_MAP.get(key, key)
            if name in self.fields and name in self.errors:
                continue
            self.add_error(name if name in self.fields else None, message)


class TrackCaptchaForm(forms.Form):
    """The CAPTCHA that tracking asks for after wrong query codes from one client (instead of
    locking the number, which a stranger could do to the petitioner)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captcha"] = captcha.field()
