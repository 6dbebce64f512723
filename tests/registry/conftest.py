"""Fixtures the registry's tests share: a community worker and a ledger of twelve."""

from __future__ import annotations

import pytest

from shequtong.core.choices import Role
from shequtong.registry.importing.persons import PersonImport
from shequtong.registry.models import Person

from .factories import ledger_rows, write_csv


@pytest.fixture
def ledger(tree, tmp_path):
    """Twelve people of 甲一社区 in 杨家坪小区 1–3栋 (six doors), the ledger naming no grid."""
    PersonImport(community=tree.comm_a1, actor=None).run(
        write_csv(tmp_path / "台账.csv", ledger_rows(12))
    )
    return Person.objects.all()


@pytest.fixture
def staff(tree, user_with):
    """A community worker of 甲一社区."""
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
