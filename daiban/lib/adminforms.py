"""The admin's editable forms clean and refuse text as every other form does (daiban.lib.text):
the names of stations, departments, agents and categories it edits are printed on letters and
forms, so U+FFFD or a name cut at a browser's maxlength would go into every document."""

from __future__ import annotations

from django import forms

from daiban.lib.text import CleanFormMixin


class CleanModelForm(CleanFormMixin, forms.ModelForm):
    """The base of every editable ModelAdmin's form (`form = CleanModelForm`)."""
