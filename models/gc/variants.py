"""GO_SEMANTICS 5.4's variants V0..V11 as collector configurations, and the
spec factories (``model: "models.gc.variants:variant"``).

Each variant names its switches and the scenario whose minimal
counterexample is the table's; the safe ones run on ``mixed``, which holds
every hiding move the unsafe ones need (load+delete, a move into a black
object, an allocation, a direct hand-off between stacks).
"""

from __future__ import annotations

from typing import Any

from models.gc.collector import GcConfig, GcModel
from models.gc.scenario import SCENARIOS

__all__ = ["VARIANTS", "config_of", "model", "variant"]

#: id -> (switches, default scenario, expected no_dangling verdict)
VARIANTS: dict[str, tuple[dict[str, Any], str, str]] = {
    "V0": ({"barrier": "none"}, "hide", "violated"),
    "V1": ({"barrier": "dijkstra"}, "hide", "violated"),
    "V2": ({"barrier": "dijkstra", "stack_rescan": True}, "mixed", "holds"),
    "V3": ({"barrier": "yuasa"}, "move_to_black", "violated"),
    "V4": ({"barrier": "yuasa", "stacks_first": True}, "mixed", "holds"),
    "V5": ({"barrier": "hybrid"}, "mixed", "holds"),
    "V6": ({"barrier": "go", "wbbuf": True}, "mixed", "holds"),
    "V7": ({"barrier": "hybrid", "allocate": "white"}, "alloc", "violated"),
    "V8": ({"barrier": "hybrid", "chan_barrier": False}, "handoff", "violated"),
    "V9": ({"barrier": "hybrid", "fence": False}, "no_fence", "violated"),
    "V10": ({"barrier": "go", "wbbuf": True, "flush": False}, "hide", "violated"),
    "V11": ({"barrier": "hybrid", "any_grey": True}, "mixed", "holds"),
}

_SWITCHES = frozenset(GcConfig.__dataclass_fields__)


def config_of(v: str, cycles: int = 1, **overrides: Any) -> GcConfig:
    """The `GcConfig` of variant `v` (``V0``..``V11``), with overrides."""
    if v not in VARIANTS:
        raise ValueError(f"unknown GC variant '{v}'; known: {', '.join(VARIANTS)}")
    bad = set(overrides) - _SWITCHES
    if bad:
        raise TypeError(f"unknown GC switch(es): {', '.join(sorted(bad))}; known: {', '.join(sorted(_SWITCHES))}")
    return GcConfig(**{**VARIANTS[v][0], **overrides, "cycles": cycles})


def variant(v: str, scenario: str | None = None, cycles: int = 1) -> GcModel:
    """Spec factory: variant `v` on its table scenario (or `scenario`)."""
    name = scenario or VARIANTS[v][1] if v in VARIANTS else ""
    cfg = config_of(v, cycles)
    if name not in SCENARIOS:
        raise ValueError(f"unknown GC scenario '{name}'; known: {', '.join(SCENARIOS)}")
    return GcModel(SCENARIOS[name], cfg, label=f"{v} on {name}")


def model(scenario: str, barrier: str = "go", cycles: int = 1, **switches: Any) -> GcModel:
    """Spec factory: any switch combination on a named scenario."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown GC scenario '{scenario}'; known: {', '.join(SCENARIOS)}")
    bad = set(switches) - _SWITCHES
    if bad:
        raise TypeError(f"unknown GC switch(es): {', '.join(sorted(bad))}; known: {', '.join(sorted(_SWITCHES))}")
    return GcModel(SCENARIOS[scenario], GcConfig(barrier=barrier, cycles=cycles, **switches))
