"""The concurrent garbage collector (GO_SEMANTICS section 5, GC-1..GC-14).

- `models.gc.heap`: the state (`GcState`) and the heap as a networkx graph;
- `models.gc.scenario`: heap-shape scenarios (small mutator scripts);
- `models.gc.collector`: `GcModel`, the collector actor beside the mutators,
  with the barrier variants and the properties gc.*;
- `models.gc.variants`: V0..V11 and the spec factories;
- `models.gc.barrier_proof`: z3 inductive proofs of the barriers.
"""

from models.gc.collector import BARRIERS, GcConfig, GcModel
from models.gc.variants import VARIANTS, model, variant

__all__ = ["BARRIERS", "GcConfig", "GcModel", "VARIANTS", "model", "variant"]
