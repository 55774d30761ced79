"""The engine contract: the `Model` protocol, named `Property` values and verdicts.

A model is four methods (`init_states`, `actions`, `next_state`, `properties`)
plus optional hooks with defaults.  States and actions are immutable, hashable
values; equal states must mean the same thing (canonical form is the model's
job).  The engine never learns what a goroutine is.

Examples
--------
>>> class Counter:
...     def init_states(self): return [0]
...     def actions(self, s): return ["inc"] if s < 3 else []
...     def next_state(self, s, a): return s + 1
...     def properties(self):
...         return [Property.always("small", lambda s: s <= 3),
...                 Property.sometimes("reaches 3", lambda s: s == 3)]
>>> [p.kind for p in Counter().properties()]
['always', 'sometimes']
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

S = TypeVar("S", bound=Hashable)
A = TypeVar("A", bound=Hashable)

#: A state condition: ``True`` when satisfied; ``False`` or a reason string when not.
Condition = Callable[[Any], "bool | str"]
#: A keyed condition: the keys (goroutine ids, say) that are pending/stuck in a state.
KeyedCondition = Callable[[Any], Collection[Hashable]]

PropertyKind = Literal["always", "sometimes", "eventually", "leads_to", "progress", "bottom", "deadlock"]
Fairness = Literal["none", "weak", "strong"]


class BoundExceeded(RuntimeError):
    """Raised by a model when computing a successor hits one of its own bounds
    (a local run too long, recursion too deep).  The search stops there and
    every undecided property is ``unknown``: a bound never becomes ``holds``."""


@runtime_checkable
class Model(Protocol[S, A]):
    """What the engine explores.  Optional hooks are looked up with `getattr`.

    Optional hooks (all have defaults in :func:`hook`):

    - ``view(s) -> dict``: named variables of a state, for traces and diffs.
    - ``format_action(s, a) -> str``: the action in the user's terms.
    - ``actor(s, a) -> str``: the swimlane an action belongs to (``"G3"``, ``"P0"``).
    - ``fairness(s, a) -> Hashable | None``: the fairness group of an action.
    - ``representative(s) -> S``: canonical member of a symmetry class.
    - ``position(s, a) -> str | None``: source position (``file:line``) of an action.
    - ``partition_key(s) -> int``: which partition owns `s` in a partitioned
      search (``partition_key(s) % N``; `checker.parallel.codec`); an int that
      depends only on the value, the same in every process.  Default: the
      CRC of the state's canonical bytes.
    - ``state_codec() -> (encode, decode)``: two functions, state -> bytes and
      bytes -> state, that a partitioned search uses instead of the pickle
      (`checker.parallel.codec`): the bytes must depend only on the value,
      be the same in every process, and differ for different states.  Called
      once per process; the functions may keep caches.
    - ``state_parts(s) -> tuple`` and ``state_from_parts(parts) -> S``: `s`
      cut into hashable parts whose tuple determines it, and back; with
      them `explore` stores each distinct part once and a state as its
      parts' numbers (`checker.store.CompactCodec`; ``compact=False``
      turns it off).  Equal states must give equal parts.
    - ``packed_next(codec, s, key, a) -> bytes``: with the parts hooks, the
      key ``codec.pack(next_state(s, a))`` where `key` is ``codec.pack(s)``
      (`codec` a `checker.store.CompactCodec`), for a model that can reach
      it from `key`'s part numbers without building the successor (the Go
      model's transition cache, `models.memo`).  `explore` then builds a
      successor (``codec.unpack``) only when it is new.
    """

    def init_states(self) -> Sequence[S]: ...

    def actions(self, s: S) -> Sequence[A]: ...

    def next_state(self, s: S, a: A) -> S: ...

    def properties(self) -> Sequence[Property]: ...


def _default_view(s: Any) -> dict[str, Any]:
    return {"state": s}


def _default_format(s: Any, a: Any) -> str:
    return str(a)


def _default_actor(s: Any, a: Any) -> str:
    return ""


def _default_fairness(s: Any, a: Any) -> Hashable | None:
    return None


def _default_position(s: Any, a: Any) -> str | None:
    return None


_DEFAULT_HOOKS: dict[str, Callable[..., Any]] = {
    "view": _default_view,
    "format_action": _default_format,
    "actor": _default_actor,
    "fairness": _default_fairness,
    "position": _default_position,
}


def hook(model: Any, name: str) -> Callable[..., Any]:
    """The model's optional hook `name`, or its default."""
    fn = getattr(model, name, None)
    return fn if fn is not None else _DEFAULT_HOOKS[name]


@dataclass(frozen=True, slots=True)
class Property:
    """A named property of a model.

    Kinds:

    - ``always``: `cond` holds in every reachable state (an invariant).
    - ``sometimes``: `cond` holds in some reachable state; never reached is a
      failure, which catches a vacuous spec.
    - ``eventually``: on every fair execution `cond` eventually holds.
    - ``leads_to``: whenever `cond` holds, `response` eventually holds.
    - ``progress``: `keys(s)` names what is pending in `s` (a lock waiter,
      say); violated by a fair cycle in which one key stays pending
      throughout (and, if `include_terminal`, by an end state where one is).
    - ``bottom``: `keys(s)` names what is stuck in `s`; violated when some
      bottom strongly connected component of the state graph (a place an
      execution can never leave) has a key stuck in every one of its states.
      This is how goroutine leaks are found.
    - ``deadlock``: every state without enabled actions satisfies `cond`
      (the state is a proper end, not a deadlock).
    """

    name: str
    kind: PropertyKind
    cond: Condition | None = None
    response: Condition | None = None
    keys: KeyedCondition | None = None
    fairness: Fairness = "weak"
    include_terminal: bool = False
    about: str = field(default="", compare=False)

    @staticmethod
    def always(name: str, cond: Condition, about: str = "") -> Property:
        return Property(name, "always", cond=cond, about=about)

    @staticmethod
    def sometimes(name: str, cond: Condition, about: str = "") -> Property:
        return Property(name, "sometimes", cond=cond, about=about)

    @staticmethod
    def eventually(name: str, cond: Condition, fairness: Fairness = "weak", about: str = "") -> Property:
        return Property(name, "eventually", cond=cond, fairness=fairness, about=about)

    @staticmethod
    def leads_to(name: str, cond: Condition, response: Condition, fairness: Fairness = "weak",
                 about: str = "") -> Property:
        return Property(name, "leads_to", cond=cond, response=response, fairness=fairness, about=about)

    @staticmethod
    def progress(name: str, keys: KeyedCondition, fairness: Fairness = "weak",
                 include_terminal: bool = False, about: str = "") -> Property:
        return Property(name, "progress", keys=keys, fairness=fairness,
                        include_terminal=include_terminal, about=about)

    @staticmethod
    def bottom(name: str, keys: KeyedCondition, about: str = "") -> Property:
        return Property(name, "bottom", keys=keys, about=about)

    @staticmethod
    def deadlock_free(name: str, is_final: Condition, about: str = "") -> Property:
        return Property(name, "deadlock", cond=is_final, about=about)

    @property
    def is_liveness(self) -> bool:
        return self.kind in ("eventually", "leads_to", "progress", "bottom")


def evaluate(cond: Condition | None, s: Any) -> str | None:
    """Evaluate a condition: ``None`` when it holds, else the reason it fails."""
    if cond is None:
        raise TypeError("this property has no condition to evaluate")
    r = cond(s)
    if r is True:
        return None
    if r is False or r is None:
        return ""
    if isinstance(r, str):
        return r
    return None if r else ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """``holds`` (proved over the explored space), ``violated`` or ``unknown(reason)``."""

    kind: Literal["holds", "violated", "unknown"]
    reason: str = ""

    def __str__(self) -> str:
        return self.kind if not self.reason or self.kind == "holds" else f"{self.kind} ({self.reason})"


HOLDS = Verdict("holds")


def violated(reason: str = "") -> Verdict:
    return Verdict("violated", reason)


def unknown(reason: str) -> Verdict:
    return Verdict("unknown", reason)
