"""One moto server for the environment tests, seeded like a real account."""

from __future__ import annotations

import boto3
import pytest

from ddb_warmer.emulator import running_emulator
from ddb_warmer.seed import ENVIRONMENTS, seed_environment


@pytest.fixture(scope="package")
def emulator(tools_env):
    with running_emulator(name="moto-tests") as emulator, emulator.activated():
        session = boto3.Session(region_name=emulator.region)
        for environment in ENVIRONMENTS:
            seed_environment(environment, emulator.region, session)
        yield emulator


@pytest.fixture(scope="package")
def emulator_env(emulator):
    return emulator.env()
