"""The date and date-time widgets every console form uses.

A browser's `<input type="date">` accepts only ISO 8601 (2026-12-04): the locale's format
(2026/12/04, as zh-hans renders a date) is rejected and shown empty, so a form saved untouched
would erase the date. These widgets always render ISO, whatever the language.
"""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """`<input type="datetime-local">` reads only ISO without seconds (2026-12-05T09:00)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, str] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class MomentField(forms.DateTimeField):
    """A date and time typed into a form, in the ISO datetime-local input, between the years
    2000 and 2099: year 1 or 9999 would overflow the conversion to UTC and fail the save."""

    widget = DateTimeInput

    def to_python(self, value: Any) -> Any:
        moment = super().to_python(value)
        if moment is not None and not 2000 <= moment.year <= 2099:
            raise forms.ValidationError("请填写 2000 年至 2099 年之间的时间", code="invalid")
        return moment
