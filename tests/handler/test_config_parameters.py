"""A configuration too large for Lambda's environment: read from its SSM parameters, checked, once per container."""

from __future__ import annotations

import hashlib
import json

import boto3
import pytest
from moto import mock_aws

from lambda_function import main
from lambda_function.config import ConfigError, config_location, read_parameter_config

# The path the module gives name_prefix "policy-test", as planned in tests/iam: the IAM tests judge these reads.
PATH = "/policy-test-warmer/config"


def put_parts(ssm, raw: str, size: int = 4096) -> dict:
    """The parameters the module writes for `raw`, and the environment it gives the function."""
    parts = [raw[i : i + size] for i in range(0, len(raw), size)]
    for i, part in enumerate(parts):
        ssm.put_parameter(Name=f"{PATH}/{i:03d}", Value=part, Type="String", Tier="Standard")
    return {
        "WARMER_CONFIG_PARAMETER": PATH,
        "WARMER_CONFIG_PARTS": str(len(parts)),
        "WARMER_CONFIG_SHA256": hashlib.sha256(raw.encode()).hexdigest(),
    }


@pytest.fixture
def ssm(aws_credentials):
    with mock_aws():
        yield boto3.client("ssm")


def thousand_tables() -> str:
    return json.dumps({"tables": [{"name": f"orders-history-archive-eu-{i:04d}", "read": True} for i in range(1000)]})


def test_a_thousand_tables_are_read_back_from_parameters_of_4_kb_in_calls_of_ten(ssm):
    raw = thousand_tables()
    environ = put_parts(ssm, raw)
    calls = []

    def get_parameters(**kwargs):
        calls.append(kwargs["Names"])
        return ssm.get_parameters(**kwargs)

    assert read_parameter_config(config_location(environ), get_parameters) == raw
    assert int(environ["WARMER_CONFIG_PARTS"]) > 10
    assert [len(names) for names in calls] == [10, int(environ["WARMER_CONFIG_PARTS"]) - 10]


def test_parts_of_another_apply_are_refused_saying_to_apply_again(ssm):
    environ = put_parts(ssm, thousand_tables())
    ssm.put_parameter(Name=f"{PATH}/001", Value="x" * 4096, Type="String", Overwrite=True)

    with pytest.raises(ConfigError, match=r"do not add up to the configuration .* apply the environment again"):
        read_parameter_config(config_location(environ), ssm.get_parameters)


def test_a_missing_part_is_named(ssm):
    environ = put_parts(ssm, thousand_tables())
    ssm.delete_parameter(Name=f"{PATH}/002")

    with pytest.raises(ConfigError, match=f"{PATH}/002 not found: apply the environment again"):
        read_parameter_config(config_location(environ), ssm.get_parameters)


def test_warmer_config_in_the_environment_wins_and_needs_no_parameter():
    assert config_location({"WARMER_CONFIG": "{}", "WARMER_CONFIG_PARAMETER": PATH}) is None
    assert config_location({}) is None


def test_the_handler_reads_the_parameters_once_per_container(ssm, monkeypatch):
    environ = put_parts(ssm, thousand_tables())
    monkeypatch.delenv("WARMER_CONFIG", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    main.parameter_config.cache_clear()
    calls = []
    ssm.meta.events.register("before-call.ssm.GetParameters", lambda **_: calls.append(1))
    real_client = boto3.client
    monkeypatch.setattr(
        main.boto3, "client", lambda service, **kw: ssm if service == "ssm" else real_client(service, **kw)
    )

    first, second = main.load_config(), main.load_config()

    assert first is second and len(first.tables) == 1000
    assert len(calls) == 2  # 10 names per call, and only for the first load
    main.parameter_config.cache_clear()
