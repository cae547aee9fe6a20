"""The CI roles as planned on the emulator, shared by the trust and permission tests."""

from __future__ import annotations

import pytest

from tests.iam.ci_roles import accounts, planned_roles


@pytest.fixture(scope="session")
def ci_roles(emulator):
    """{account: {role key: role}}: every account's bootstrap unit of live/, planned as that account's admin."""
    return {account: planned_roles(emulator.env(account=account), account) for account in accounts()}
