"""The runtime and collector options a Go model is built with.

These are the ``runtime:`` and ``gc:`` sections of a spec (the YAML side
lives in `gocheck.spec`); the models read them and know nothing of YAML.
Defaults follow docs/design.md section 4.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GcOptions", "RuntimeOptions"]


@dataclass(frozen=True, slots=True)
class RuntimeOptions:
    scheduler: str = "abstract"
    procs: int = 2
    runq_size: int = 4
    global_check_every: int = 61
    time_slice: int = 3
    runnext_inherits_slice: bool = True
    steal: str = "half"
    mutex_starvation: bool = True
    starvation_after: int = 2
    main_exit: str = "wait"
    timers: str = "fire"
    buggy_steal: bool = False
    #: gmp: sysmon retakes a P held in _Psyscall by a goroutine in a system
    #: call (SCH-28); false models a runtime without the hand-off.
    sysmon_retake: bool = True
    #: ``range`` over a map: ``all`` explores every iteration order (Go
    #: randomizes it); ``canonical`` only the sorted one (an under-approximation
    #: the spec asks for: a bug that needs another order is missed).
    map_order: str = "all"
    #: math/rand: ``rand.Intn(n)`` explores all n values; a larger n is a bound
    #: (the verdicts become unknown, naming it), never a silent cut.
    rand_values: int = 100


@dataclass(frozen=True, slots=True)
class GcOptions:
    enabled: bool = False
    barrier: str = "hybrid"
    stack_rescan: bool = False
    allocate: str = "black"
    #: how many collection cycles run (models.gc.gomode)
    cycles: int = 1
