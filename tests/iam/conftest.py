"""The CI roles as each account's bootstrap unit of live/ plans them, shared by the trust and permission tests."""

from __future__ import annotations

import pytest

from ddb_warmer.build.live import environments
from tests.iam.ci_roles import planned_in_one_account


@pytest.fixture(scope="session")
def ci_roles(bootstraps):
    """{account: {role key: role}}: the CI roles as each account's bootstrap unit planned them, as that account's
    admin, the plans then applied (tests/conftest.py: bootstraps)."""
    return {account: done.planned for account, done in bootstraps[1].items()}


@pytest.fixture(scope="session")
def one_account_roles(emulator):
    """{role key: role}: modules/github-oidc planned for every environment of live/ in the first one's account
    (tests/iam/ci_roles.py: planned_in_one_account), trusting the repository by name: the permission tests
    read its apply roles, the trust tests its name-based subjects."""
    found = environments()
    account = found[0].account
    return planned_in_one_account(emulator.env(account=account), found, account)
