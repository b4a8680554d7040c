"""Forms of the staff pages. Labels and messages in Chinese."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from daiban.lib.dates import today
from daiban.lib.text import CleanFormMixin
from daiban.lib.validation import DATE_MAX, DATE_MIN, typed_day
from daiban.org.models import Agent, Department, Station
from daiban.petitions.models import Category, Channel, Petition, Source, Status

# The list's value for a petition without a category (the statistics' 未分类 row; selectors.petition_list).
UNCLASSIFIED = "未分类"


def _days_as_typed(form: forms.Form) -> None:
    """The form's date fields as people type them (2026/12/2, 12月2日, full width) in YYYY-MM-DD, before
    they are read: what is read and what the page shows again is then one day, and a date input
    shows it (it shows nothing of a value in another form)."""
    names = [name for name, f in form.fields.items()
             if isinstance(f, forms.DateField) or isinstance(f.widget, forms.DateInput)]
    if not form.is_bound or not any(isinstance(form.data.get(n), str) for n in names):
        return
    if isinstance(form.data, QueryDict):
        data = form.data.copy()  # a copy: request.GET and request.POST are immutable
    else:
        data = QueryDict(mutable=True)
        data.update(form.data)
    for name in names:
        if isinstance(raw := data.get(name), str) and raw:
            data[name] = typed_day(raw, today().year)
    form.data = data


def plausible_day(value: datetime.date) -> None:
    """A filter's day within DATE_MIN..DATE_MAX, as the API's PlausibleDate: year 1 reached the
    overdue filter's day before it (date.min − 1 day) and answered 500. Raises ValidationError."""
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(f"应在{DATE_MIN:%Y-%m-%d}至{DATE_MAX:%Y-%m-%d}之间")


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class PetitionFilterForm(CleanFormMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "编号、身份证号、电话、姓名或内容关键词"}))
    status = forms.ChoiceField(label="状态", required=False)
    overdue = forms.ChoiceField(label="超期", required=False, choices=[("", "全部"), ("true", "已超期"), ("false", "未超期")])
    channel = forms.ChoiceField(label="渠道", required=False, choices=[("", "全部"), *Channel.choices])
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部"), *Source.choices])
    station = forms.ModelChoiceField(label="代办机构", required=False, queryset=Station.objects.all(), empty_label="全部")
    # A station with every station below it (its 嘎查 points): what the statistics of a station count,
    # so a figure's link lists the petitions behind it (stats.queries.scope).
    under = forms.ModelChoiceField(label="代办机构（含下级）", required=False, queryset=Station.objects.all(),
                                   widget=forms.HiddenInput)
    # No agent holds it (the statistics' 未指定 row).
    unassigned = forms.BooleanField(label="未指定代办员", required=False, widget=forms.HiddenInput)
    # A 处置单 returned since the last routing: to be routed again (the workbench's card).
    rerouting = forms.BooleanField(label="处置单被退回待重新流转", required=False, widget=forms.HiddenInput)
    agent = forms.ModelChoiceField(label="代办员", required=False, queryset=Agent.objects.all(), empty_label="全部")
    department = forms.ModelChoiceField(label="事权单位", required=False, queryset=Department.objects.all(), empty_label="全部")
    received_from = forms.DateField(label="收到日期从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    received_to = forms.DateField(label="收到日期至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_to = forms.DateField(label="到期不晚于", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    # 超期 in a period (the statistics' per-department figure links here): a 处置单 whose deadline
    # passed in the period unanswered (selectors.dispositions_overdue_in), whatever the month of receipt.
    overdue_from = forms.DateField(label="超期期间从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue_to = forms.DateField(label="超期期间至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.CharField(label="内容分类", required=False)
    kpi = forms.ChoiceField(label="统计口径", required=False)
    order = forms.ChoiceField(label="排序", required=False, choices=[
        ("-id", "最新登记在前"), ("due_on", "办结时限由近到远"), ("-due_on", "办结时限由远到近"), ("received_on", "收到日期由早到晚")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A comma list is allowed too (the workbench links "my open petitions" that way).
        self.fields["status"].choices = [("", "全部"), *Status.choices]
        from daiban.stats.kpi import CONDITIONS, LABELS

        self.fields["kpi"].choices = [("", "全部")] + [(k, LABELS[k]) for k in CONDITIONS]
        _days_as_typed(self)
        raw = self.data.get("status", "")
        if raw and "," in raw and all(v.strip() in Status.values for v in raw.split(",") if v.strip()):
            # Only a list of known statuses: one forged or stale code among them is refused by name
            # like a single one (it used to pass and filter by a code no petition has).
            self.fields["status"].choices.append((raw, "多个状态"))
        for field in self.fields.values():  # the project's wording, not Django's generic one
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "应为YYYY-MM-DD格式的日期"
                # The API's PlausibleDate bounds: 0001-01-01 overflowed the overdue period's eve (500),
                # 9999-12-31 listed as if no bound were given.
                field.validators = [*field.validators, plausible_day]
            elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = "取值无效"
        _bootstrap(self)

    def clean_category(self) -> str:
        """A category the list can match: a managed one (Category, in use or not), one a petition
        carries, or 未分类 (the statistics' link for none). Another is refused by name, as every choice
        filter of the page, not an empty list with nothing said."""
        value = (self.cleaned_data.get("category") or "").strip()
        if value and value != UNCLASSIFIED and not Category.objects.filter(name=value).exists() \
                and not Petition.objects.filter(category=value).exists():
            raise ValidationError("取值无效")
        return value

    def error_text(self) -> str:
        """The fields refused, each by its label and what was received: "状态取值无效（收到“bogus”）；…"."""
        parts = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else "筛选"
            received = str(self.data.get(name, ""))[:20]
            parts.append(f"{label}{'，'.join(str(e) for e in errors)}" + (f"（收到“{received}”）" if received else ""))
        return "；".join(parts)

    def filters(self) -> dict:
        """The list's filters from the fields that are valid (a refused one is left out)."""
        data = self.cleaned_data
        return {
            "q": data.get("q") or None, "status": data.get("status") or None,
            "overdue": {"true": True, "false": False}.get(data.get("overdue") or ""),
            "channel": data.get("channel") or None, "source": data.get("source") or None,
            "station": data["station"].pk if data.get("station") else None,
            "under": data["under"].pk if data.get("under") else None,
            "unassigned": bool(data.get("unassigned")), "rerouting": bool(data.get("rerouting")),
            "agent": data["agent"].pk if data.get("agent") else None,
            "department": data["department"].pk if data.get("department") else None,
            "received_from": data.get("received_from"), "received_to": data.get("received_to"),
            "due_to": data.get("due_to"), "order": data.get("order") or "-id",
            "overdue_from": data.get("overdue_from"), "overdue_to": data.get("overdue_to"),
            "category": data.get("category") or None, "kpi": data.get("kpi") or None,
        }


class IntakeForm(CleanFormMixin, forms.Form):
    """Only the shapes; the rules (ID checksum, phone, dates) are the service's, so the API and the
    page refuse exactly the same input."""

    # No choice or length is checked here: the service checks every field at once and names each one
    # that is wrong ("现有N字"), as the API and the portal do; a check here would stop the others from
    # being told until the next save. The browser's maxlength only helps typing.
    channel = forms.CharField(label="渠道", required=False,
                              widget=forms.Select(choices=[("", "请选择"), *Channel.choices]))
    source = forms.CharField(label="来源", required=False, widget=forms.Select(choices=[("", "请选择"), *Source.choices]))
    received_on = forms.CharField(label="收到日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    external_id = forms.CharField(label="外部编号（12345工单号等）", required=False,
                                  widget=forms.TextInput(attrs={"maxlength": 100}))
    name = forms.CharField(label="信访人姓名", required=False, widget=forms.TextInput(attrs={"maxlength": 50}))
    id_number = forms.CharField(label="身份证号", required=False, widget=forms.TextInput(
        attrs={"autocomplete": "off", "inputmode": "text", "maxlength": 40}))
    phone = forms.CharField(label="联系电话", required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "maxlength": 40}))
    address = forms.CharField(label="地址", required=False, widget=forms.TextInput(attrs={"maxlength": 200}))
    content = forms.CharField(label="反映的问题及诉求", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    category = forms.CharField(label="内容分类", required=False, widget=forms.Select())
    in_judicial_proceedings = forms.BooleanField(label="已进入司法程序（诉讼、仲裁、行政复议）", required=False)
    # One per rendering of the form (views.intake): the same form posted twice registers once.
    once = forms.CharField(required=False, widget=forms.HiddenInput)  # read by lib.validation.once_token

    # Service field names → form field names, for the service's error messages.
    FIELD_MAP = {"petitioner.name": "name", "petitioner.id_number": "id_number", "petitioner.phone": "phone",
                 "petitioner.address": "address"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = Category.objects.filter(active=True).values_list("name", flat=True)
        category = self.fields["category"].widget
        assert isinstance(category, forms.Select)
        category.choices = [("", "（稍后在甄别时确定）")] + [(n, n) for n in names]
        _days_as_typed(self)
        _bootstrap(self)

    def service_data(self) -> dict:
        d = self.cleaned_data
        return {
            "channel": d["channel"], "source": d["source"], "received_on": d["received_on"] or None,
            "external_id": d["external_id"] or None, "content": d["content"], "category": d["category"],
            "in_judicial_proceedings": d["in_judicial_proceedings"],
            "petitioner": {"name": d["name"], "id_number": d["id_number"], "phone": d["phone"], "address": d["address"]},
        }

    def add_service_errors(self, fields: dict[str, str]) -> None:
        for key, message in fields.items():
            name = self.FIELD_MAP.get(key, key)
            self.add_error(name if name in self.fields else None, message)
