"""WARMER_CONFIG: read, parsed and validated once, before any warming call.

Every error names the field (as a path such as `tables[1].indexes[0].read`)
and says what to write instead.

The JSON is in the WARMER_CONFIG environment variable while it fits Lambda's
4 KB for all variables; a larger one is in SSM parameters, in parts of at most
4,096 characters (the module's config.tf says why), named by
WARMER_CONFIG_PARAMETER (their path), WARMER_CONFIG_PARTS (their count) and
WARMER_CONFIG_SHA256 (the whole JSON's hash, so a part from another apply is
never mixed in).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

EXAMPLE = '{"tables": [{"name": "orders"}]}'
# DynamoDB naming rules, for tables and indexes alike.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
DEFAULT_MAX_WORKERS = 32  # measured best at 200 tables: bench/tick_benchmark.py
MAX_WORKERS_LIMIT = 64
# A table name pattern: the name characters plus `*` (any run) and `?` (one
# character), the two wildcards an IAM resource ARN knows too, so one pattern is
# one ARN in the function's policy and matches the same names there and here.
PATTERN_PATTERN = re.compile(r"^[A-Za-z0-9_.*?-]{1,255}$")
MAX_PATTERNS = 20

TOP_LEVEL_KEYS = ("tables", "patterns", "exclude", "dry_run", "max_workers")
TABLE_KEYS = ("name", "read", "write", "indexes")
INDEX_KEYS = ("name", "read", "write")


class ConfigError(ValueError):
    """WARMER_CONFIG is malformed; nothing was sent."""


PARAMETERS_PER_CALL = 10  # GetParameters takes at most 10 names


def config_location(environ: Mapping[str, str]) -> tuple[str, int, str] | None:
    """The SSM parameters' path, count and hash; None when WARMER_CONFIG holds the JSON itself."""
    path = environ.get("WARMER_CONFIG_PARAMETER")
    if environ.get("WARMER_CONFIG") is not None or not path:
        return None
    parts = environ.get("WARMER_CONFIG_PARTS", "")
    if not parts.isdigit() or int(parts) < 1:
        raise ConfigError(f"WARMER_CONFIG_PARTS: must be the number of parameters under {path}, not {parts!r}")
    return path, int(parts), environ.get("WARMER_CONFIG_SHA256", "")


def read_parameter_config(location: tuple[str, int, str], get_parameters: Callable[..., dict]) -> str:
    """The JSON the parameters hold together, checked against the hash the function was deployed with."""
    path, count, sha256 = location
    names = [f"{path}/{i:03d}" for i in range(count)]
    values: dict[str, str] = {}
    for start in range(0, count, PARAMETERS_PER_CALL):
        answer = get_parameters(Names=names[start : start + PARAMETERS_PER_CALL])
        if answer.get("InvalidParameters"):
            raise ConfigError(
                f"WARMER_CONFIG_PARAMETER: {', '.join(sorted(answer['InvalidParameters']))} not found: "
                "apply the environment again to write its configuration"
            )
        values.update({parameter["Name"]: parameter["Value"] for parameter in answer["Parameters"]})
    raw = "".join(values[name] for name in names)
    if hashlib.sha256(raw.encode()).hexdigest() != sha256:
        raise ConfigError(
            f"WARMER_CONFIG_PARAMETER: the parameters under {path} do not add up to the configuration the "
            "function was deployed with (WARMER_CONFIG_SHA256): apply the environment again"
        )
    return raw


@dataclass(frozen=True)
class IndexConfig:
    name: str
    read: bool | None = None  # None: not given, decided automatically
    write: bool | None = None

    @property
    def auto(self) -> bool:
        return self.read is None and self.write is None


@dataclass(frozen=True)
class TableConfig:
    name: str
    read: bool | None = None
    write: bool | None = None
    indexes: tuple[IndexConfig, ...] = ()

    @property
    def auto(self) -> bool:
        """Neither read nor write given: warm what has a scalable target."""
        return self.read is None and self.write is None


@dataclass(frozen=True)
class WarmerConfig:
    tables: tuple[TableConfig, ...]
    dry_run: bool = False
    max_workers: int = DEFAULT_MAX_WORKERS
    # Discovery: every table of the region whose name matches a pattern and no
    # exclude is warmed in auto mode; a table listed in `tables` keeps its entry.
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def selects(self, name: str) -> bool:
        """Whether discovery picks this table name (explicit entries are not discovery's)."""
        return any(fnmatch.fnmatchcase(name, p) for p in self.patterns) and not any(
            fnmatch.fnmatchcase(name, p) for p in self.exclude
        )


def parse_config(raw: str | None) -> WarmerConfig:
    if raw is None or not raw.strip():
        raise ConfigError(f"WARMER_CONFIG is not set: set it to JSON such as {EXAMPLE}")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"WARMER_CONFIG is not valid JSON (line {error.lineno} column {error.colno}: "
            f"{error.msg}): write JSON such as {EXAMPLE}"
        ) from None
    data = _require_object(data, "WARMER_CONFIG", TOP_LEVEL_KEYS)
    patterns = _patterns(data, "patterns")
    exclude = _patterns(data, "exclude")
    tables = data.get("tables", [] if patterns else None)
    if not isinstance(tables, list) or not (tables or patterns):
        raise ConfigError(
            f"tables: must be a non-empty list of tables, such as {EXAMPLE}, unless patterns selects them, "
            'such as {"patterns": ["prod-*"]}'
        )
    parsed = tuple(_parse_table(table, f"tables[{i}]") for i, table in enumerate(tables))
    _reject_duplicates([t.name for t in parsed], "tables", "table")
    if exclude and not patterns:
        raise ConfigError('exclude: only narrows patterns; add patterns such as ["prod-*"] or remove exclude')
    return WarmerConfig(
        tables=parsed,
        dry_run=_optional_bool(data, "dry_run", "dry_run") or False,
        max_workers=_max_workers(data.get("max_workers", DEFAULT_MAX_WORKERS)),
        patterns=patterns,
        exclude=exclude,
    )


def _patterns(data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or len(value) > MAX_PATTERNS:
        raise ConfigError(f'{key}: must be a list of at most {MAX_PATTERNS} table name patterns, such as ["prod-*"]')
    for i, pattern in enumerate(value):
        if not isinstance(pattern, str) or not PATTERN_PATTERN.match(pattern):
            raise ConfigError(
                f"{key}[{i}]: {json.dumps(pattern)} is not a table name pattern; write letters, digits, "
                "'_', '-', '.' and the wildcards '*' (any characters) and '?' (one character)"
            )
    _reject_duplicates(value, key, "pattern")
    return tuple(value)


def _parse_table(given: object, path: str) -> TableConfig:
    data = _require_object(given, path, TABLE_KEYS)
    indexes = data.get("indexes", [])
    if indexes is None:
        indexes = []
    if not isinstance(indexes, list):
        raise ConfigError(f'{path}.indexes: must be a list such as [{{"name": "by_user"}}]')
    parsed = tuple(_parse_index(index, f"{path}.indexes[{i}]") for i, index in enumerate(indexes))
    _reject_duplicates([i.name for i in parsed], f"{path}.indexes", "index")
    return TableConfig(
        name=_name(data, path, "table"),
        read=_optional_bool(data, "read", f"{path}.read"),
        write=_optional_bool(data, "write", f"{path}.write"),
        indexes=parsed,
    )


def _parse_index(given: object, path: str) -> IndexConfig:
    data = _require_object(given, path, INDEX_KEYS)
    return IndexConfig(
        name=_name(data, path, "index"),
        read=_optional_bool(data, "read", f"{path}.read"),
        write=_optional_bool(data, "write", f"{path}.write"),
    )


def _require_object(data: object, path: str, allowed: tuple[str, ...]) -> dict:
    """`data` as a JSON object with only the `allowed` keys, or a ConfigError naming what is wrong."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a JSON object with keys {', '.join(allowed)}")
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        prefix = "" if path == "WARMER_CONFIG" else f"{path}."
        raise ConfigError(f"{prefix}{unknown[0]}: unknown key; the keys allowed here are {', '.join(allowed)}")
    return data


def _name(data: dict, path: str, kind: str) -> str:
    name = data.get("name")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ConfigError(
            f"{path}.name: {json.dumps(name)} is not a valid {kind} name; write 3 to 255 "
            "characters of letters, digits, '_', '-' and '.'"
        )
    return name


def _optional_bool(data: dict, key: str, path: str) -> bool | None:
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        raise ConfigError(f"{path}: must be true or false (or left out), not {json.dumps(value)}")
    return value


def _max_workers(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_WORKERS_LIMIT:
        raise ConfigError(f"max_workers: must be a whole number from 1 to {MAX_WORKERS_LIMIT}, not {json.dumps(value)}")
    return value


def _reject_duplicates(names: list[str], path: str, kind: str) -> None:
    seen = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{path}: {kind} {name!r} is listed twice; list each {kind} once")
        seen.add(name)
