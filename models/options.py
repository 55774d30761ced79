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
    #: gmp: local run queue slots; Go's is 256 (SCH-5).
    runq_size: int = 256
    global_check_every: int = 61
    #: gmp, ``preempt: slice`` only: steps after which sysmon preempts (forced).
    time_slice: int = 3
    runnext_inherits_slice: bool = True
    steal: str = "half"
    #: sync.Mutex starvation mode (MU-5).  ``auto``: modelled when a property
    #: other than a state invariant is checked (starvation_free, leak_free,
    #: terminates: their fair executions depend on it) or under the G-M-P
    #: scheduler; when every checked property is an invariant (deadlock_free,
    #: panic_free, race_free, max_goroutines) the abstract scheduler's models
    #: leave it out: normal mode already allows every schedule starvation mode
    #: allows (docs/reductions.md, "Mutex starvation mode"), so the invariants'
    #: verdicts are the same on fewer states.  ``true``/``false`` force it.
    mutex_starvation: bool | str = "auto"
    starvation_after: int = 2
    #: Set by `models.gomodel.resolve_runtime` when ``auto`` leaves starvation
    #: mode out, never by a spec: sync.Mutex as a guarded bit (`models.sync`,
    #: MU-2 abstracted): a goroutine at Lock of a held mutex is parked in the
    #: step that brings it there, the waiters are a set, and Unlock readies them
    #: all to race for the lock (docs/reductions.md, "The guarded bit: waiters as a set").
    mutex_guarded: bool = False
    main_exit: str = "wait"
    #: ``ordered``: timers fire when the environment chooses, but with one P
    #: (``procs: 1``) never before an earlier, shorter timer that Go would
    #: run first (`models.timeorder`, TM-2); ``any``: in any order (with
    #: several Ps ``ordered`` is ``any``: Go's per-P heaps give no order,
    #: TM-3); ``never``: timers never fire.
    timers: str = "ordered"
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
    #: gmp: ``any``: sysmon may preempt a running goroutine after any step of
    #: its slice, or the runnext goroutine inheriting it (an environment
    #: choice, weakly fair per P: SCH-11/31/32); ``slice``: forced after
    #: ``time_slice`` steps (bounded, misses long-running schedules);
    #: ``never``: no preemption (what a run shorter than 10 ms sees).
    preempt: str = "any"
    #: gmp: ``any``: the start is nondeterministic like Go's (schedtick at
    #: main.main, a runtime goroutine from package init in P0's runnext);
    #: ``fixed``: schedtick 1 and empty queues.
    startup: str = "any"


@dataclass(frozen=True, slots=True)
class GcOptions:
    enabled: bool = False
    barrier: str = "hybrid"
    stack_rescan: bool = False
    allocate: str = "black"
    #: how many collection cycles run (models.gc.gomode)
    cycles: int = 1
