"""Template source that would show on the page: Django's {# #} comment ends with its line, so a
comment spread over two lines is printed to the user (the photo picker's once was)."""

from __future__ import annotations

from pathlib import Path

import shequtong

SRC = Path(shequtong.__file__).parent


def test_no_template_has_a_comment_spread_over_lines():
    broken = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("templates/**/*.html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert broken == []
