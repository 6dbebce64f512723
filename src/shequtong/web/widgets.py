"""The date and date-time widgets every console form uses.

A browser's `<input type="date">` accepts only ISO 8601 (2026-12-04): the locale's format
(2026/12/04, as zh-hans renders a date) is rejected and shown empty, so a form saved untouched
would erase the date. These widgets always render ISO, whatever the language.
"""

from __future__ import annotations

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
