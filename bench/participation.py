"""What bench/ledger.py and bench/votes.py share: a throwaway PostgreSQL database, and a
community with its staff member and N residents already 实名 (their accounts claimed)."""

from __future__ import annotations

import atexit
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def _drop(name: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def throwaway_database(name: str) -> Iterator[None]:
    """Create `name`, point Django at it, migrate; drop it when the process ends. Registered
    before Django loads, so it runs after the audit log's own exit handler has sealed what the
    run wrote (exit handlers run last-registered first)."""
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    atexit.register(_drop, name)
    try:
        os.environ["DATABASE_URL"] = f"{PG}/{name}"
        os.environ.setdefault("SHEQUTONG_MODE", "test")
        os.environ.setdefault("SHEQUTONG_VAR_DIR", str(Path(tempfile.gettempdir()) / name))
        # As in production: audit entries sealed by the process's background thread.
        os.environ.setdefault("SHEQUTONG_AUDIT_SEAL_INLINE", "false")
        os.environ["DJANGO_SETTINGS_MODULE"] = "shequtong.settings"
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        yield
    finally:
        from django.db import connections

        connections.close_all()


def community_with_residents(
    code: str, residents: int, born_from: date = date(1960, 1, 1)
) -> tuple[Any, Any, list[Any], list[Any]]:
    """(community, staff user, persons, users): `residents` registry persons whose accounts
    have claimed them; `code` is the district's 6-digit region code."""
    from stdnum.cn import ric

    from shequtong.accounts.models import ClaimReason, ClaimStatus, ResidentClaim
    from shequtong.core.choices import AreaLevel, Role
    from shequtong.core.models import RoleGrant, User
    from shequtong.core.services import area_build
    from shequtong.registry.models import Person

    district = area_build(
        name="压测区", level=AreaLevel.DISTRICT, parent=None, code=f"{code}000000"
    )
    street = area_build(
        name="压测街道", level=AreaLevel.SUBDISTRICT, parent=district, code=f"{code}001000"
    )
    community = area_build(
        name="压测社区", level=AreaLevel.COMMUNITY, parent=street, code=f"{code}001001"
    )
    staff = User.objects.create(username="bench-staff")
    RoleGrant.objects.create(
        user=staff, role=Role.COMMUNITY_STAFF, area=community, area_path=community.path
    )

    def person(i: int) -> Person:
        born = born_from + timedelta(days=i // 900)
        body = f"{code}{born:%Y%m%d}{i % 900 + 100:03d}"
        return Person(
            name=f"居民{i}",
            gender="male",
            birth_date=born,
            id_number=body + ric.calc_check_digit(body + "0"),
            area=community,
            area_path=community.path,
        )

    people = Person.objects.bulk_create((person(i) for i in range(residents)), batch_size=2000)
    users = User.objects.bulk_create(
        (User(username=f"bench-r{i}") for i in range(residents)), batch_size=2000
    )
    ResidentClaim.objects.bulk_create(
        (
            ResidentClaim(
                user=u,
                person=p,
                claimed_name=p.name,
                claimed_id_number=p.id_number,
                status=ClaimStatus.CONFIRMED,
                reason=ClaimReason.MATCHED,
                area=community,
                area_path=community.path,
            )
            for u, p in zip(users, people, strict=True)
        ),
        batch_size=2000,
    )
    return community, staff, people, users


def percentile(sorted_ms: list[float], share: float) -> float:
    return sorted_ms[max(0, int(len(sorted_ms) * share) - 1)]
