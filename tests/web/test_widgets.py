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


def test_a_moment_outside_2000_to_2099_is_refused_in_chinese_not_overflowed():
    from shequtong.web.widgets import MomentField

    field = MomentField(label="开始时间")
    for typed in ("0001-01-01T00:00", "9999-12-31T23:59"):
        try:
            field.clean(typed)
        except forms.ValidationError as refused:
            assert refused.messages == ["请填写 2000 年至 2099 年之间的时间"]
        else:
            raise AssertionError(typed)
    assert field.clean("2026-12-05T09:30").year == 2026


def test_a_number_beyond_a_database_integer_is_refused_like_a_word():
    import pytest

    from shequtong.core.errors import DomainError
    from shequtong.web.inputs import whole_number

    with pytest.raises(DomainError) as refused:
        whole_number({"area": "9" * 30}, "area", "社区")
    assert refused.value.fields == {"area": ["社区应为整数"]}
    assert whole_number({"area": "42"}, "area", "社区") == 42
