"""Every date field of every console form renders ISO 8601, the one form a browser's date input
reads; the browser test (tests/e2e/test_dates.py) saves such forms untouched."""

from __future__ import annotations

import importlib
import inspect
from datetime import date

from django import forms
from django.apps import apps
from django.utils import translation

from shequtong.web.widgets import DateInput


def console_forms() -> list[type[forms.BaseForm]]:
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("shequtong."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        found += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
        ]
    return found


def test_every_date_field_uses_the_iso_widget():
    dated = {
        f"{form.__name__}.{name}": field.widget
        for form in console_forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateField)
    }
    assert len(dated) >= 6  # the hazard, end-of-residence, tag, calendar, deadline, mediation…
    assert [name for name, widget in dated.items() if not isinstance(widget, DateInput)] == []


def test_the_widget_renders_iso_in_chinese():
    with translation.override("zh-hans"):
        html = DateInput().render("on", date(2026, 12, 4))
    assert 'value="2026-12-04"' in html and 'type="date"' in html
