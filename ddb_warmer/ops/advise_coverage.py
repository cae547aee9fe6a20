"""Whether the warmer covers a table that `advise` keeps (or puts) provisioned, and the line to add when not.

A provisioned table scales in only if something sends a request every minute (docs/design.md); the warmer
does for the tables its configuration lists and those its patterns find (lambda_function.config:
WarmerConfig.selects, the rule the function itself applies on each tick).
"""

from __future__ import annotations

import fnmatch

from ddb_warmer.ops.deployment import deployed_config_json
from lambda_function.config import ConfigError, WarmerConfig, parse_config

ANY_UNIT = "live/<environment>/<region>/warmer/terragrunt.hcl"


def warmer_config(clients, function: str | None) -> WarmerConfig | None:
    """The deployed warmer's configuration; None without a function, or when it has none readable."""
    if not function:
        return None
    lambda_client = clients["lambda"]
    try:
        configuration = lambda_client.get_function_configuration(FunctionName=function)
        return parse_config(deployed_config_json(configuration, clients.get("ssm")))
    except (lambda_client.exceptions.ResourceNotFoundException, ConfigError):
        return None


def add_line(table: str, unit: str | None) -> str:
    return f'add {{ name = "{table}" }} to the tables of {unit or ANY_UNIT}'


def coverage(table: str, config: WarmerConfig | None, unit: str | None) -> tuple[bool | None, str]:
    """(covered, what to tell the user): None when no warmer was named."""
    if config is None:
        return None, f"have a warmer cover it so that it scales in: {add_line(table, unit)}"
    if any(entry.name == table for entry in config.tables):
        return True, "the warmer lists it already (auto mode warms what auto scaling targets)"
    if config.selects(table):
        pattern = next(p for p in config.patterns if fnmatch.fnmatchcase(table, p))
        return True, f"the warmer's pattern {pattern!r} finds it already"
    return False, f"the warmer does not cover it: {add_line(table, unit)}"
