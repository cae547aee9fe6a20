"""The CI roles as planned on the emulator, shared by the trust and permission tests."""

from __future__ import annotations

import pytest

from tests.iam.ci_roles import planned_roles


@pytest.fixture(scope="session")
def ci_roles(emulator_env):
    return planned_roles(emulator_env)
