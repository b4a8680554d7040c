"""Every Django form's fields, as the pages render them: tied to their errors and help.

Django 5.2 already writes aria-invalid and aria-describedby="<id>_helptext <id>_error" on a bound
field's widget; the shared template daiban/_field_feedback.html gives the help and the error those
ids. Here, the one thing Django does not do: after a refused submission the first invalid field
carries `autofocus`, so the cursor (and a screen reader) lands on it, with or without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.forms import BoundField
from django.forms.renderers import DjangoTemplates
from django.forms.widgets import Widget


class A11yBoundField(BoundField):
    def build_widget_attrs(self, attrs: dict[str, Any], widget: Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        # Django leaves aria-describedby off widgets it expects in a <fieldset> (several inputs: the
        # CAPTCHA's, radios); the pages draw them under a label, so each input names its error too.
        if getattr(widget, "use_fieldset", False) and not attrs.get("aria-describedby") and self.auto_id and not widget.is_hidden:
            ids = [f"{self.auto_id}_helptext"] if self.help_text else []
            if ids := ids + ([f"{self.auto_id}_error"] if self.errors else []):
                attrs["aria-describedby"] = " ".join(ids)
        if not widget.is_hidden and self.errors and self.name == first_invalid(self.form):
            attrs["autofocus"] = True
        return attrs


def first_invalid(form: Any) -> str | None:
    """The name of the first visible field, in the form's order, that has an error."""
    errors = form.errors if form.is_bound else {}
    return next((name for name, f in form.fields.items() if name in errors and not f.widget.is_hidden), None)


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER: Django's own templates, with the bound field above."""

    bound_field_class = A11yBoundField
