"""The workflow tests' fixtures (tests/ci/workflow_fixture.py), for every test here that asks for one by name:
the job's checkout, the fake GitHub, the fixture tree's environments seeded and the origin repository."""

from tests.ci.workflow_fixture import checkout, fixture_seeded, github, origin

__all__ = ["checkout", "fixture_seeded", "github", "origin"]
