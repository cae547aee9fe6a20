"""What an environment deployed: its warmer function, its region and its configured tables.

The environments are the folders of `live/`, found from the current directory
upwards (a checkout of this repository), or next to this package (an editable
install).
"""

from __future__ import annotations

from pathlib import Path

from ddb_warmer.build.live import region_file, resolved_locals, unit_dirs, unit_region
from ddb_warmer.build.toolenv import ROOT
from ddb_warmer.ops.aws import CouldNotCheck
from lambda_function.config import config_location, parse_config, read_parameter_config
from lambda_function.deadline import Deadline
from lambda_function.discovery import discover


def live_dir(start: Path | None = None) -> Path | None:
    """The `live/` folder of the checkout around `start` (default: the current directory)."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents, ROOT):
        if (folder / "live").is_dir() and (folder / "terragrunt.hcl").is_file():
            return folder / "live"
    return None


def environment_dir(environment: str, live: Path | None = None) -> Path:
    live = live or live_dir()
    if live is None:
        raise CouldNotCheck(
            f"environment {environment!r} not found: run from a checkout of the repository (its live/ folder), "
            "or name the function with --function"
        )
    folder = live / environment
    if not (folder / "env.hcl").is_file():
        known = sorted(p.parent.name for p in live.glob("*/env.hcl") if not p.parent.name.startswith("_"))
        raise CouldNotCheck(f"no environment {environment!r} under {live}: use one of {', '.join(known) or 'none'}")
    return folder


def environment_regions(environment: str, live: Path | None = None) -> list[str]:
    """The regions an environment's units deploy to (each unit's nearest region.hcl)."""
    units = unit_dirs(environment_dir(environment, live))
    resolved = resolved_locals([region_file(unit) for unit in units])  # one `terragrunt render` for them all
    return sorted({unit_region(unit, resolved) for unit in units})


def region_for(environment: str | None, region: str | None, live: Path | None = None) -> tuple[str | None, str]:
    """(the region to use, a hint naming the environment's regions for error messages)."""
    if not environment:
        return region, ""
    regions = environment_regions(environment, live)
    hint = f"live/{environment} is in {', '.join(regions)}" if regions else ""
    if region:
        return region, hint
    if len(regions) == 1:
        return regions[0], hint
    if regions:
        raise CouldNotCheck(f"live/{environment} deploys to {', '.join(regions)}: pick one with --region")
    return None, hint


def function_log_group(configuration: dict) -> str:
    """Where a function's logs go: its LoggingConfig's log group, or Lambda's default."""
    return configuration.get("LoggingConfig", {}).get("LogGroup") or f"/aws/lambda/{configuration['FunctionName']}"


def deployed_config_json(configuration: dict, ssm=None) -> str | None:
    """A function's WARMER_CONFIG JSON: its environment variable, or its SSM parameters (with an SSM client)."""
    variables = configuration.get("Environment", {}).get("Variables", {})
    location = config_location(variables)
    if location is None:
        return variables.get("WARMER_CONFIG")
    return None if ssm is None else read_parameter_config(location, ssm.get_parameters)


def configured_tables(lambda_client, function: str, dynamodb=None, ssm=None) -> list[str]:
    """The tables a deployed warmer warms: those it lists, then (with a DynamoDB client) those its
    patterns find today, the way the function finds them on each tick."""
    try:
        configuration = lambda_client.get_function_configuration(FunctionName=function)
    except lambda_client.exceptions.ResourceNotFoundException:
        region = lambda_client.meta.region_name
        raise CouldNotCheck(
            f"no function {function} in {region}: deploy the environment first, or name tables with --table"
        ) from None
    config = parse_config(deployed_config_json(configuration, ssm))
    found = discover(dynamodb, config, Deadline.none()) if config.patterns and dynamodb is not None else []
    return [table.name for table in (*config.tables, *found)]


def warmer_unit(environment: str, region: str, live: Path | None = None) -> str | None:
    """The file of live/ whose `tables` an environment's warmer in `region` reads, as a path from the checkout."""
    folder = environment_dir(environment, live)
    for unit in unit_dirs(folder):
        if unit_region(unit) == region and (unit / "terragrunt.hcl").is_file():
            return str((unit / "terragrunt.hcl").relative_to(folder.parent.parent))
    return None
