"""One unit's plan, summarised: what the plan, comment, drift and apply scripts pass each other."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class UnitPlan:
    unit: str  # path under live/, e.g. "dev/warmer" or "prod/eu-west-1/warmer"
    ok: bool
    add: int = 0
    change: int = 0
    destroy: int = 0
    destroyed: list[str] = field(default_factory=list)  # addresses deleted or replaced
    text: str = ""
    error: str = ""
    warnings: list[str] = field(default_factory=list)  # Terraform's warnings (check blocks, deprecations)
    # The module's pattern_matches output: per pattern, and per exclude, the region's tables it matches
    patterns: dict[str, list[str]] = field(default_factory=dict)
    excludes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_changes(self) -> bool:
        return bool(self.add or self.change or self.destroy)
