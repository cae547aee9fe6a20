"""Discovery by table name pattern: what it selects, what explicit entries keep, and new tables."""

from __future__ import annotations

from ddb_warmer.local.seed import IndexSpec, TableSpec
from lambda_function.targets import TargetCache


def test_patterns_warm_the_scaled_matching_tables_and_skip_the_rest(aws):
    aws.table(TableSpec("prod-orders", ("pk", "S"), indexes=(IndexSpec("by_user", ("u", "S")),)))
    aws.table(TableSpec("prod-tmp-1", ("pk", "S")))  # excluded
    aws.table(TableSpec("prod-unscaled", ("pk", "S")), scaled=False)
    aws.table(TableSpec("dev-orders", ("pk", "S")))  # not matched
    aws.dynamodb.create_table(
        TableName="prod-ondemand",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )

    summary = aws.tick({"patterns": ["prod-*"], "exclude": ["prod-tmp-*"]})

    assert aws.recorder.requests() == [
        ("DeleteItem", "prod-orders", None),
        ("GetItem", "prod-orders", None),
        ("Query", "prod-orders", "by_user"),
    ]
    statuses = {t["table"]: t["status"] for t in summary["tables"]}
    assert statuses == {"prod-ondemand": "skipped", "prod-orders": "warmed", "prod-unscaled": "skipped"}
    assert summary["discovered"] == 3
    described = {c[1] for c in aws.recorder.calls if c[0] == "DescribeTable"}
    assert described == {"prod-ondemand", "prod-orders", "prod-unscaled"}  # never a table that does not match


def test_an_explicit_entry_overrides_what_its_pattern_would_warm(aws):
    aws.table(TableSpec("prod-orders", ("pk", "S")))
    aws.table(TableSpec("prod-events", ("pk", "S")))

    aws.tick({"tables": [{"name": "prod-orders", "read": False, "write": True}], "patterns": ["prod-*"]})

    assert aws.recorder.requests() == [
        ("DeleteItem", "prod-events", None),
        ("DeleteItem", "prod-orders", None),
        ("GetItem", "prod-events", None),
    ]


def test_a_table_created_between_two_ticks_is_warmed_on_the_next_one(aws):
    aws.table(TableSpec("prod-orders", ("pk", "S")))
    targets = TargetCache()  # as in a warm container: targets of known tables are cached
    first = aws.tick({"patterns": ["prod-*"]}, targets=targets)
    aws.table(TableSpec("prod-new", ("id", "N"), scaled=("read",)))

    second = aws.tick({"patterns": ["prod-*"]}, targets=targets)

    assert [t["table"] for t in first["tables"]] == ["prod-orders"]
    assert {t["table"]: t["status"] for t in second["tables"]} == {"prod-new": "warmed", "prod-orders": "warmed"}
    assert ("GetItem", "prod-new", None) in aws.recorder.requests()
    # Only the new table's ids were asked about: the known one came from the cache.
    asked = [c for c in aws.recorder.calls if c[0] == "DescribeScalableTargets"]
    assert len(asked) == 2


def test_more_than_a_hundred_matching_tables_are_found_across_list_pages(aws):
    for i in range(130):
        aws.table(TableSpec(f"app-{i:03d}", ("pk", "S")), scaled=False)

    summary = aws.tick({"tables": [], "patterns": ["app-1??"], "dry_run": True})

    assert summary["discovered"] == 30
    assert len([c for c in aws.recorder.calls if c[0] == "ListTables"]) == 2


def test_scalable_targets_are_cached_between_ticks(aws):
    aws.table(TableSpec("prod-orders", ("pk", "S")))
    targets = TargetCache()

    for _ in range(3):
        assert aws.tick({"tables": [{"name": "prod-orders"}]}, targets=targets)["counts"]["warmed"] == 1

    assert len([c for c in aws.recorder.calls if c[0] == "DescribeScalableTargets"]) == 1


def test_a_failed_listing_is_reported_and_the_listed_tables_are_still_warmed(aws):
    aws.table(TableSpec("orders", ("pk", "S")))

    def deny(params, **_):
        raise aws.dynamodb.exceptions.ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "ListTables"
        )

    aws.dynamodb.meta.events.register("before-call.dynamodb.ListTables", deny)

    summary = aws.tick({"tables": [{"name": "orders"}], "patterns": ["prod-*"]})

    by_table = {t["table"]: t for t in summary["tables"]}
    assert by_table["orders"]["status"] == "warmed"
    assert by_table["(discovery)"]["status"] == "failed"
    assert "AccessDeniedException" in by_table["(discovery)"]["reason"]
