from __future__ import annotations

from shequtong.core.models import Area


def seed_notices(district: Area, scale: int) -> None:
    return None
