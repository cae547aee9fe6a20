"""WARMER_CONFIG errors: a message naming the field, and not one request sent."""

from __future__ import annotations

import json

import pytest

from lambda_function import main
from lambda_function.config import ConfigError, IndexConfig, TableConfig, parse_config

BAD_CONFIGS = [
    (None, "WARMER_CONFIG is not set"),
    ("{", "WARMER_CONFIG is not valid JSON (line 1 column 2"),
    ("[]", "WARMER_CONFIG: must be a JSON object"),
    ('{"tables": []}', "tables: must be a non-empty list"),
    (
        '{"tables": [{"name": "orders"}], "dryrun": true}',
        "dryrun: unknown key; the keys allowed here are tables, patterns, exclude, dry_run, max_workers",
    ),
    ('{"patterns": []}', "tables: must be a non-empty list of tables"),
    ('{"patterns": ["prod orders*"]}', 'patterns[0]: "prod orders*" is not a table name pattern'),
    ('{"patterns": ["prod-[ab]*"]}', 'patterns[0]: "prod-[ab]*" is not a table name pattern'),
    ('{"patterns": "prod-*"}', "patterns: must be a list of at most 20 table name patterns"),
    ('{"patterns": ["prod-*", "prod-*"]}', "patterns: pattern 'prod-*' is listed twice"),
    ('{"tables": [{"name": "orders"}], "exclude": ["tmp-*"]}', "exclude: only narrows patterns"),
    ('{"tables": [{"name": "orders", "reads": true}]}', "tables[0].reads: unknown key"),
    (
        '{"tables": [{"name": "orders", "read": "yes"}]}',
        'tables[0].read: must be true or false (or left out), not "yes"',
    ),
    ('{"tables": [{"name": "or"}]}', 'tables[0].name: "or" is not a valid table name'),
    ('{"tables": [{"read": true}]}', "tables[0].name: null is not a valid table name"),
    ('{"tables": [{"name": "orders"}, {"name": "orders"}]}', "tables: table 'orders' is listed twice"),
    ('{"tables": [{"name": "orders", "indexes": {"name": "x"}}]}', "tables[0].indexes: must be a list"),
    (
        '{"tables": [{"name": "orders", "indexes": [{"name": "by_user", "wrte": true}]}]}',
        "tables[0].indexes[0].wrte: unknown key; the keys allowed here are name, read, write",
    ),
    (
        '{"tables": [{"name": "orders", "indexes": [{"name": "by_user"}, {"name": "by_user"}]}]}',
        "tables[0].indexes: index 'by_user' is listed twice",
    ),
    (
        '{"tables": [{"name": "orders"}], "max_workers": 0}',
        "max_workers: must be a whole number from 1 to 64",
    ),
    ('{"tables": [{"name": "orders"}], "dry_run": "no"}', "dry_run: must be true or false"),
]


@pytest.mark.parametrize(("raw", "message"), BAD_CONFIGS)
def test_bad_config_is_rejected_with_a_message_naming_the_field(raw, message):
    with pytest.raises(ConfigError) as error:
        parse_config(raw)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(("raw", "message"), BAD_CONFIGS)
def test_bad_config_sends_no_request(raw, message, monkeypatch):
    monkeypatch.setenv("WARMER_CONFIG", raw) if raw is not None else monkeypatch.delenv("WARMER_CONFIG", False)
    created = []
    monkeypatch.setattr(main, "clients", lambda *a: created.append(a) or pytest.fail("a client was made"))

    with pytest.raises(ConfigError):
        main.lambda_handler({}, None)
    assert created == []


def test_the_documented_example_parses_into_typed_config():
    config = parse_config(
        json.dumps(
            {
                "tables": [
                    {"name": "orders"},
                    {
                        "name": "events",
                        "read": True,
                        "write": False,
                        "indexes": [{"name": "by_user", "read": True, "write": False}],
                    },
                ],
                "dry_run": False,
            }
        )
    )

    assert config.tables == (
        TableConfig("orders"),
        TableConfig("events", True, False, (IndexConfig("by_user", True, False),)),
    )
    assert config.tables[0].auto and not config.tables[1].auto
    assert config.max_workers == 32 and config.dry_run is False
