from __future__ import annotations

import logging

import pytest

from shequtong.core.choices import Role
from shequtong.core.models import User
from tests.care.test_alarms import elder  # noqa: F401  (an elder under care, for care orders)


@pytest.fixture(autouse=True)
def _sms_log(caplog):
    caplog.set_level(logging.INFO, logger="shequtong.accounts.services")


@pytest.fixture
def staff(tree, user_with) -> User:
    return user_with(Role.COMMUNITY_STAFF, tree.comm_a1)
