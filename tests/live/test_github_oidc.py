"""Each account's bootstrap unit (live/_bootstrap/<account>/github-oidc) on the emulator, in that account:
it serves exactly the environments whose env.hcl names the account, makes their roles and a state bucket
per region they deploy to, and refuses a bucket of the same name in another account. Who may assume which
role, and what each may do: tests/iam/test_ci_*.py. Every account's bootstrap is applied once per worker, to an
emulator of its own, and read by these tests and tests/iam/test_ci_escalation.py."""

from __future__ import annotations

import json

import pytest

from ddb_warmer.build.live import LIVE, environments, unit_inputs
from ddb_warmer.build.terragrunt import terragrunt
from ddb_warmer.local.emulator import running_emulator
from ddb_warmer.names import state_bucket
from tests.checkout_copy import READ_ONLY_INIT
from tests.iam.ci_roles import BOOTSTRAP_ENV, bootstrap_unit
from tests.live.applied import assert_no_deprecation_warning

pytestmark = pytest.mark.slow

ACCOUNTS = sorted({e.account for e in environments()})
ANOTHER_ACCOUNT = next(a for a in ("999999999999", "888888888888") if a not in ACCOUNTS)
# The repository to trust and its immutable ids: the bootstrap has no usable default.
REPOSITORY = BOOTSTRAP_ENV


def served(account: str) -> tuple[list[str], list[str]]:
    """The environments in the account, and every region they deploy to."""
    mine = [e for e in environments() if e.account == account]
    return sorted(e.name for e in mine), sorted({r for e in mine for r in e.regions})


def test_every_account_an_environment_names_has_a_bootstrap_unit():
    assert sorted(p.parent.parent.name for p in (LIVE / "_bootstrap").glob("*/github-oidc/terragrunt.hcl")) == ACCOUNTS


@pytest.mark.parametrize("account", ACCOUNTS)
def test_a_bootstrap_serves_the_environments_and_regions_of_its_account(account, monkeypatch):
    monkeypatch.setenv("DDB_WARMER_GITHUB_REPOSITORY", REPOSITORY["DDB_WARMER_GITHUB_REPOSITORY"])
    names, regions = served(account)
    inputs = unit_inputs(bootstrap_unit(account))
    assert inputs["environments"] == names
    assert inputs["state_buckets"] == [state_bucket(region, account) for region in regions]


@pytest.mark.parametrize("account", ACCOUNTS)
def test_the_bootstrap_applies_roles_and_locked_down_state_buckets_in_its_own_account(account, bootstraps):
    emulator, applied = bootstraps
    names, regions = served(account)
    assert_no_deprecation_warning(applied[account].plan)
    outputs = applied[account].outputs

    role = f"arn:aws:iam::{account}:role/ddb-warmer-bootstrap-github"
    assert outputs["plan_role_arn"] == f"{role}-plan"
    assert outputs["apply_role_arns"] == {name: f"{role}-apply-{name}" for name in names}
    buckets = {region: state_bucket(region, account) for region in regions}
    assert outputs["state_bucket_names"] == buckets

    session = emulator.session(account)
    roles = {r["RoleName"] for r in session.client("iam").list_roles()["Roles"]}
    # Exactly this account's CI roles: those of the other accounts' bootstraps, applied beside it, are not here.
    assert {r for r in roles if r.startswith("ddb-warmer-bootstrap-github-")} == {
        f"ddb-warmer-bootstrap-github-{k}" for k in ["plan", *(f"apply-{n}" for n in names)]
    }
    s3 = session.client("s3")
    for region, bucket in buckets.items():
        assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] in (region, None)
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
        assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
        policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        statements = {s["Sid"]: s for s in policy["Statement"]}
        assert statements["TLSOnly"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        admitted = statements["OnlyTheCIRolesAndAdmins"]["Condition"]["ArnNotLike"]["aws:PrincipalArn"]
        admitted = [admitted] if isinstance(admitted, str) else admitted
        admin = f"arn:aws:iam::{account}:role/ddb-warmer-local-admin"  # who applied it
        assert sorted(admitted) == sorted([f"{role}-plan", *(f"{role}-apply-{n}" for n in names), admin])
    # Nothing of it is in another account.
    other = emulator.session(ANOTHER_ACCOUNT)
    assert other.client("s3").list_buckets()["Buckets"] == []
    assert not [
        r for r in other.client("iam").list_roles()["Roles"] if r["RoleName"].startswith("ddb-warmer-bootstrap")
    ]


def test_a_same_named_bucket_in_another_account_is_refused():
    account = ACCOUNTS[0]
    _, regions = served(account)
    with running_emulator(name="moto-bootstrap-squatted") as emulator:
        # Someone else's account already has the name this account's state bucket would have.
        squatter = emulator.session(ANOTHER_ACCOUNT, regions[0]).client("s3")
        bucket = state_bucket(regions[0], account)
        where = {} if regions[0] == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": regions[0]}}
        squatter.create_bucket(Bucket=bucket, **where)

        env = {**emulator.env(account=account), **REPOSITORY, **READ_ONLY_INIT}
        run = terragrunt(["apply", "-auto-approve", "--backend-bootstrap"], bootstrap_unit(account), env, check=False)

        assert run.returncode != 0
        assert "BucketAlreadyExists" in run.stdout + run.stderr
        # The other account's bucket was neither configured nor given a policy.
        assert "Status" not in squatter.get_bucket_versioning(Bucket=bucket)
        with pytest.raises(squatter.exceptions.ClientError, match="NoSuchBucketPolicy"):
            squatter.get_bucket_policy(Bucket=bucket)
