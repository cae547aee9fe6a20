"""Discovery: the tables of this region whose names match the configured patterns.

Run every tick, so a table created after the deploy is warmed on the next tick
without a change to the configuration. ListTables returns names only (100 per
page); DescribeTable is then sent for matching tables alone.
"""

from __future__ import annotations

from .config import TableConfig, WarmerConfig
from .deadline import Deadline


def discover(dynamodb, config: WarmerConfig, deadline: Deadline) -> list[TableConfig]:
    """Auto-mode entries for the matching tables not listed explicitly, in name order."""
    explicit = {table.name for table in config.tables}
    found: list[str] = []
    start: dict = {}
    while True:
        deadline.check("ListTables")
        page = dynamodb.list_tables(Limit=100, **start)
        found += [name for name in page.get("TableNames", []) if name not in explicit and config.selects(name)]
        if "LastEvaluatedTableName" not in page:
            return [TableConfig(name) for name in sorted(found)]
        start = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
