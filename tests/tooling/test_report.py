"""The demo's report: capacity DynamoDB did not report is shown as such, never as a guessed figure."""

from __future__ import annotations

from ddb_warmer.local.report import dimension_rows


def tick(write_consumed):
    return {
        "tables": [
            {
                "table": "orders",
                "status": "warmed",
                "reason": None,
                "dimensions": [
                    {"index": None, "dimension": "read", "operation": "GetItem", "consumed": 0.5, "outcome": "ok"},
                    {
                        "index": None,
                        "dimension": "write",
                        "operation": "DeleteItem",
                        "consumed": write_consumed,
                        "outcome": "ok",
                    },
                ],
            }
        ]
    }


def test_a_write_without_a_reported_figure_is_shown_as_not_reported():
    rows = {row["dimension"]: row["consumed"] for row in dimension_rows([tick(None), tick(None), tick(1.0)])}

    assert rows == {"table read": "1.5 RCU", "table write": "1 WCU (+2 not reported)"}
    assert dimension_rows([tick(None)])[1]["consumed"] == "not reported"
