"""Go's memory model: happens-before along traces, and the axiomatic model in z3.

- `hb`: vector-clock happens-before over a trace's `Event` sequence, with
  data races explained (`RaceExplanation`).
- `paths` + `axiomatic`: candidate executions of a litmus program and their
  z3 encoding (MM-1..MM-25).
- `check_outcomes(spec)`: each ``outcomes:`` entry allowed (with a witness)
  or forbidden.
- `trace_events`: `events_along(model, path)` (the hb events of a
  counterexample path) and `explain_race(model, path)` (why the race at its
  end is one, in happens-before terms).
"""

from models.memory.hb import EVENT_KINDS, Event, HappensBefore, RaceExplanation, races
from models.memory.outcomes import OutcomeResult, check_outcomes
from models.memory.trace_events import events_along, explain_race

__all__ = ["EVENT_KINDS", "Event", "HappensBefore", "OutcomeResult", "RaceExplanation", "check_outcomes", "events_along",
           "explain_race", "races"]
