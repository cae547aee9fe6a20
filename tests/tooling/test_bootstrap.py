"""The bootstrap's provider-mirror discovery and the Terraform CLI config it writes."""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import pytest
from packaging.version import Version

from ddb_warmer.build import bootstrap, toolenv
from ddb_warmer.build.toolenv import ROOT
from ddb_warmer.build.versions import pinned_versions


def make_mirror(root, version="5.100.0", packed=False):
    provider = root / "registry.terraform.io" / "hashicorp" / "aws"
    if packed:
        provider.mkdir(parents=True)
        (provider / f"terraform-provider-aws_{version}_{bootstrap.platform_dir()}.zip").write_bytes(b"zip")
    else:
        binary_dir = provider / version / bootstrap.platform_dir()
        binary_dir.mkdir(parents=True)
        (binary_dir / f"terraform-provider-aws_v{version}_x5").write_bytes(b"binary")
    return root


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Nothing of this machine's own mirrors or configs in sight."""
    monkeypatch.setattr(bootstrap, "MIRROR_CANDIDATES", ())
    monkeypatch.setattr(bootstrap, "MIRROR_SEARCH_ROOTS", (str(tmp_path / "search"),))
    monkeypatch.setattr(toolenv, "TOOLS", tmp_path / "tools")
    monkeypatch.setattr(toolenv, "TERRAFORMRC", tmp_path / "tools" / "terraformrc")
    monkeypatch.delenv("TF_CLI_CONFIG_FILE", raising=False)
    monkeypatch.delenv(toolenv.MIRROR_ENV, raising=False)
    return tmp_path


def test_an_unpacked_and_a_packed_mirror_both_list_their_versions(tmp_path):
    assert bootstrap.mirror_versions(make_mirror(tmp_path / "a")) == ["5.100.0"]
    assert bootstrap.mirror_versions(make_mirror(tmp_path / "b", "6.2.0", packed=True)) == ["6.2.0"]
    assert bootstrap.mirror_versions(tmp_path / "empty") == []


def test_a_mirror_is_found_by_searching_and_written_into_the_cli_config(isolated):
    mirror = make_mirror(isolated / "search" / "vendor" / "tf-plugins")

    line = bootstrap.write_cli_config("5.100.0")

    config = toolenv.TERRAFORMRC.read_text()
    assert f'path    = "{mirror}"' in config
    assert 'include = ["registry.terraform.io/hashicorp/aws"]' in config
    assert 'exclude = ["registry.terraform.io/hashicorp/aws"]' in config
    assert line == f"5.100.0 (mirror {mirror})"
    cache = isolated / "tools" / "terraform-plugin-cache"
    assert f'plugin_cache_dir = "{cache}"' in config and cache.is_dir()  # every init links the provider from there
    linked = cache / "registry.terraform.io/hashicorp/aws/5.100.0" / bootstrap.platform_dir()
    assert linked.resolve() == (mirror / "registry.terraform.io/hashicorp/aws/5.100.0" / bootstrap.platform_dir())


def test_the_environment_variable_overrides_discovery(isolated, monkeypatch):
    make_mirror(isolated / "search" / "found")
    chosen = make_mirror(isolated / "chosen", "5.99.0")
    monkeypatch.setenv(toolenv.MIRROR_ENV, str(chosen))

    line = bootstrap.write_cli_config("5.100.0")

    assert str(chosen) in toolenv.TERRAFORMRC.read_text()
    assert line.endswith("mise.toml expects 5.100.0)")


def test_direct_installs_from_the_registry_without_a_mirror(isolated, monkeypatch):
    monkeypatch.setenv(toolenv.MIRROR_ENV, "direct")

    bootstrap.write_cli_config("5.100.0")

    config = toolenv.TERRAFORMRC.read_text()
    assert "provider_installation" not in config
    assert f'plugin_cache_dir = "{isolated / "tools" / "terraform-plugin-cache"}"' in config  # downloaded once


def test_no_mirror_is_an_error_naming_every_place_looked_at_and_what_to_set(isolated):
    with pytest.raises(bootstrap.BootstrapError) as error:
        bootstrap.write_cli_config("5.100.0")

    message = str(error.value)
    assert "No filesystem mirror of hashicorp/aws" in message
    assert f"{toolenv.MIRROR_ENV}=/path/to/mirror" in message
    assert f"{toolenv.MIRROR_ENV}=direct" in message


def test_a_mirror_of_an_existing_cli_config_is_reused(isolated, monkeypatch):
    mirror = make_mirror(isolated / "configured")
    existing = isolated / "terraformrc"
    existing.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    monkeypatch.setenv("TF_CLI_CONFIG_FILE", str(existing))

    assert bootstrap.find_provider_mirror()[0] == mirror


def test_pinned_versions_come_from_mise_toml():
    versions = pinned_versions()
    assert set(versions) >= {"terraform", "terragrunt", "actionlint", "terraform-docs", "aws_provider"}
    assert versions["terragrunt"].startswith("1.")


def test_the_contributors_guide_states_the_versions_pinned_in_mise_toml():
    readme = (ROOT / "CONTRIBUTING.md").read_text()
    versions = pinned_versions()
    for tool, label in (
        ("python", "Python"),
        ("terraform", "Terraform"),
        ("terragrunt", "Terragrunt"),
        ("actionlint", "actionlint"),
        ("terraform-docs", "terraform-docs"),
        ("aws_provider", "hashicorp/aws"),
        ("aws-lambda-rie", "Lambda RIE"),
    ):
        assert f"| {label} | {versions[tool]}" in readme, f"CONTRIBUTING.md's version of {label} differs from mise.toml"


def test_every_test_runs_on_the_python_that_mise_toml_pins():
    assert "{}.{}".format(*sys.version_info[:2]) == pinned_versions()["python"]


def test_the_python_override_must_be_the_pinned_version(monkeypatch):
    monkeypatch.setenv(bootstrap.PYTHON_ENV, sys.executable)
    with pytest.raises(bootstrap.BootstrapError, match=r"DDB_WARMER_PYTHON=.* is not Python 3\.99"):
        bootstrap.find_python("3.99")
    assert bootstrap.find_python(pinned_versions()["python"]) == Path(sys.executable)


def test_without_the_pinned_python_the_error_says_how_to_get_one(monkeypatch):
    monkeypatch.delenv(bootstrap.PYTHON_ENV, raising=False)
    with pytest.raises(bootstrap.BootstrapError) as error:
        bootstrap.find_python("3.99")
    assert "mise install python@3.99" in str(error.value) and "pyenv install 3.99" in str(error.value)


def test_the_handler_is_tested_with_at_least_the_boto3_of_the_lambda_runtime():
    floor = re.search(r"^boto3>=([\d.]+)$", (ROOT / "requirements" / "dev.in").read_text(), re.MULTILINE)[1]
    assert Version(metadata.version("boto3")) >= Version(floor)


def test_a_tool_link_made_through_a_linked_tools_folder_points_at_the_real_build(tmp_path):
    """A workspace whose .tools links to the checkout's (the workflow runner's) must not
    point the checkout's shared links into itself: they would dangle once it is removed."""
    real = tmp_path / "checkout" / ".tools"
    (real / "go").mkdir(parents=True)
    (real / "go" / "terragrunt").write_text("binary")
    (real / "bin").mkdir()
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    (workspace / ".tools").symlink_to(real)

    bootstrap.relink(workspace / ".tools" / "bin" / "terragrunt", workspace / ".tools" / "go" / "terragrunt")

    assert (real / "bin" / "terragrunt").readlink() == real / "go" / "terragrunt"
