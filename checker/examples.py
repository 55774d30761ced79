"""Hand-written models against the `Model` protocol, with known state spaces.

They pin the engine before any Go exists, and a spec can name them
(``model: checker.examples:phil_flat``).  `PhilFlat` is the same transition
system as SPIN's ``phil_flat.pml`` (forks passed as parameters, one SPIN
statement per step), so its counts can be compared with SPIN's.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.model import Property

# --------------------------------------------------------------------------- philosophers

THINK, ONE, EAT, ATE, CHECKED, DOWN2, DOWN1 = range(7)
_PC_NAMES = ("think", "one", "eat", "ate", "checked", "down2", "down1")


@dataclass(frozen=True, slots=True)
class PhilFlat:
    """Dining philosophers as ``phil_flat.pml``: philosopher k takes fork
    ``first`` then ``second``; resource-ordered unless `deadlock`, where the
    last one takes left then right like everybody else.

    State: (pcs, forks, eating).  Each SPIN statement is one step:
    take first, take second, ``eating++``, ``assert``, ``eating--``, put
    second, put first (``goto think`` is merged into the last, as SPIN does).
    """

    n: int = 5
    deadlock: bool = False

    def forks_of(self, k: int) -> tuple[int, int]:
        if k < self.n - 1:
            return k, k + 1
        return (self.n - 1, 0) if self.deadlock else (0, self.n - 1)

    def init_states(self) -> list[tuple[tuple[int, ...], tuple[bool, ...], int]]:
        return [((THINK,) * self.n, (False,) * self.n, 0)]

    def actions(self, s: tuple) -> list[int]:
        pcs, forks, _ = s
        out = []
        for k, pc in enumerate(pcs):
            first, second = self.forks_of(k)
            if pc == THINK and forks[first] or pc == ONE and forks[second]:
                continue
            out.append(k)
        return out

    def next_state(self, s: tuple, k: int) -> tuple:
        pcs, forks, eating = s
        pc = pcs[k]
        first, second = self.forks_of(k)
        f = list(forks)
        if pc == THINK:
            f[first] = True
        elif pc == ONE:
            f[second] = True
        elif pc == EAT:
            eating += 1
        elif pc == CHECKED:
            eating -= 1
        elif pc == DOWN2:
            f[second] = False
        elif pc == DOWN1:
            f[first] = False
        nxt = THINK if pc == DOWN1 else pc + 1
        return pcs[:k] + (nxt,) + pcs[k + 1:], tuple(f), eating

    def partition_key(self, s: tuple) -> int:
        """Which partition owns `s` in a partitioned search (`checker.parallel`).

        From 8 philosophers on: the first four philosophers' program
        counters read as a base-7 number (the forks and ``eating`` follow
        from the counters).  A step of any other philosopher keeps the key,
        so its successor stays in its parent's partition instead of moving
        (at 10 philosophers 40% of the steps can move, against all of them
        when the owner hashes the whole state).  Base 7 rather than
        ``hash()`` of the four counters because it spreads the states more
        evenly (PhilFlat(10): 0.6% over the mean at 2 partitions, 14% at 16,
        against 2% and 28%).  Fewer philosophers: ``hash`` of all counters.
        Either way the key is an int that depends only on the value, the
        same in every process (ints and tuples of ints are not hashed with
        the per-process key that strings are)."""
        p = s[0]
        if self.n < 8:
            return hash(p)
        return p[0] + 7 * (p[1] + 7 * (p[2] + 7 * p[3]))

    def properties(self) -> list[Property]:
        limit = self.n // 2
        return [
            Property.always("assertion", lambda s: s[2] <= limit or f"eating = {s[2]} > {limit}"),
            Property.deadlock_free("deadlock_free", lambda s: False, about="no invalid end state"),
            Property.sometimes("someone eats", lambda s: s[2] > 0),
        ]

    def view(self, s: tuple) -> dict:
        pcs, forks, eating = s
        return {"phil": [_PC_NAMES[p] for p in pcs], "forks": list(forks), "eating": eating}

    def format_action(self, s: tuple, k: int) -> str:
        return f"phil {k}: {_PC_NAMES[s[0][k]]}"

    def actor(self, s: tuple, k: int) -> str:
        return f"phil{k}"

    def fairness(self, s: tuple, k: int) -> int:
        return k


def phil_flat(n: int = 5, deadlock: bool = False) -> PhilFlat:
    return PhilFlat(n, deadlock)


@dataclass(frozen=True, slots=True)
class Philosophers:
    """Dining philosophers with atomic "take fork" steps: each philosopher
    thinks, takes its first fork, takes its second, eats and puts both back
    in one step.  `ordered` makes the last one take the lower fork first."""

    n: int = 3
    ordered: bool = False

    def init_states(self) -> list[tuple[int, ...]]:
        return [(0,) * self.n]

    def forks_of(self, k: int) -> tuple[int, int]:
        left, right = k, (k + 1) % self.n
        return (min(left, right), max(left, right)) if self.ordered else (left, right)

    def owner(self, s: tuple[int, ...], fork: int) -> bool:
        for k, pc in enumerate(s):
            a, b = self.forks_of(k)
            if pc >= 1 and a == fork or pc == 2 and b == fork:
                return True
        return False

    def exclusive(self, s: tuple[int, ...]) -> bool | str:
        """No fork is held by two philosophers."""
        held: dict[int, int] = {}
        for k, pc in enumerate(s):
            a, b = self.forks_of(k)
            for f in ((a,) if pc == 1 else (a, b) if pc == 2 else ()):
                if f in held:
                    return f"fork {f} held by phil {held[f]} and phil {k}"
                held[f] = k
        return True

    def actions(self, s: tuple[int, ...]) -> list[int]:
        out = []
        for k, pc in enumerate(s):
            a, b = self.forks_of(k)
            if pc == 0 and not self.owner(s, a) or pc == 1 and not self.owner(s, b) or pc == 2:
                out.append(k)
        return out

    def next_state(self, s: tuple[int, ...], k: int) -> tuple[int, ...]:
        return s[:k] + ((s[k] + 1) % 3,) + s[k + 1:]

    def properties(self) -> list[Property]:
        return [Property.deadlock_free("deadlock_free", lambda s: False),
                Property.always("fork exclusion", self.exclusive),
                Property.progress("no starvation", lambda s: [f"phil{k}" for k, pc in enumerate(s) if pc == 1],
                                  fairness="strong")]

    def fairness(self, s: tuple[int, ...], k: int) -> int:
        return k

    def view(self, s: tuple[int, ...]) -> dict:
        return {"phil": [("thinking", "has one fork", "eating")[pc] for pc in s]}

    def format_action(self, s: tuple[int, ...], k: int) -> str:
        return f"phil {k}: " + ("take first fork", "take second fork", "put both forks")[s[k]]

    def actor(self, s: tuple[int, ...], k: int) -> str:
        return f"phil{k}"


def philosophers(n: int = 3, ordered: bool = False) -> Philosophers:
    return Philosophers(n, ordered)


# --------------------------------------------------------------------------- Peterson


@dataclass(frozen=True, slots=True)
class Peterson:
    """Peterson's mutual exclusion for two processes.  Each process:
    0: flag[i] = true; 1: turn = 1-i; 2: await !flag[1-i] || turn == i;
    3: critical section; 4: flag[i] = false, back to 0.  `buggy` sets the
    turn before raising the flag, which breaks mutual exclusion."""

    buggy: bool = False

    def init_states(self) -> list[tuple]:
        return [((0, 0), (False, False), 0)]

    def actions(self, s: tuple) -> list[int]:
        pcs, flag, turn = s
        out = []
        for i in (0, 1):
            if pcs[i] == 2 and not (not flag[1 - i] or turn == i):
                continue
            out.append(i)
        return out

    def next_state(self, s: tuple, i: int) -> tuple:
        pcs, flag, turn = s
        f = list(flag)
        pc = pcs[i]
        first, second = (1, 0) if self.buggy else (0, 1)
        if pc == first:
            f[i] = True
        elif pc == second:
            turn = 1 - i
        elif pc == 4:
            f[i] = False
        nxt = 0 if pc == 4 else pc + 1
        return (pcs[:i] + (nxt,) + pcs[i + 1:], tuple(f), turn)

    def properties(self) -> list[Property]:
        return [
            Property.always("mutex", lambda s: not (s[0][0] == 3 and s[0][1] == 3) or "both in the critical section"),
            Property.leads_to("p0 enters", lambda s: s[0][0] == 1, lambda s: s[0][0] == 3, fairness="weak"),
        ]

    def fairness(self, s: tuple, i: int) -> int:
        return i

    def view(self, s: tuple) -> dict:
        return {"pc": list(s[0]), "flag": list(s[1]), "turn": s[2]}

    def actor(self, s: tuple, i: int) -> str:
        return f"P{i}"


def peterson(buggy: bool = False) -> Peterson:
    return Peterson(buggy)


# --------------------------------------------------------------------------- fairness


@dataclass(frozen=True, slots=True)
class SpinLoop:
    """Process A spins while flag is false; process B sets the flag once.
    Without fairness A may spin forever; weak fairness makes B step, so
    ``eventually done`` holds under weak fairness only."""

    def init_states(self) -> list[tuple[bool, bool]]:
        return [(False, False)]  # (flag, a_done)

    def actions(self, s: tuple[bool, bool]) -> list[str]:
        flag, done = s
        out = []
        if not done:
            out.append("A")
        if not flag:
            out.append("B")
        return out

    def next_state(self, s: tuple[bool, bool], a: str) -> tuple[bool, bool]:
        flag, done = s
        if a == "A":
            return (flag, flag)
        return (True, done)

    def properties(self) -> list[Property]:
        return [Property.eventually("A finishes (weak)", lambda s: s[1], fairness="weak"),
                Property.eventually("A finishes (unfair)", lambda s: s[1], fairness="none")]

    def fairness(self, s: tuple, a: str) -> str:
        return a


@dataclass(frozen=True, slots=True)
class Starver:
    """Two greedy processes and a victim competing for one lock.  The victim
    waits (pending) while the others keep taking the lock.  The victim's
    "take" is enabled only when the lock is free, so it is enabled
    infinitely often but not continuously: weak fairness does not save it,
    strong fairness does."""

    def init_states(self) -> list[tuple[int, bool]]:
        return [(-1, False)]  # (holder, victim_done)

    def actions(self, s: tuple[int, bool]) -> list[str]:
        holder, done = s
        if holder == -1:
            return ["take0", "take1"] + ([] if done else ["takeV"])
        return ["release"]

    def next_state(self, s: tuple[int, bool], a: str) -> tuple[int, bool]:
        holder, done = s
        if a == "release":
            return (-1, done or holder == 2)
        return ({"take0": 0, "take1": 1, "takeV": 2}[a], done)

    def properties(self) -> list[Property]:
        pending = lambda s: [] if s[1] or s[0] == 2 else ["victim"]  # noqa: E731
        return [Property.progress("victim (weak)", pending, fairness="weak"),
                Property.progress("victim (strong)", pending, fairness="strong")]

    def fairness(self, s: tuple[int, bool], a: str) -> str:
        return "release" if a == "release" else a
