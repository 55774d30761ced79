"""The application: from a spec file to a verdict table, and the commands around it.

Layers, lowest first: `checker` (the engine: knows nothing of Go),
`models` (Go's semantics and runtime, as engine models), `reference` (an
independent threaded runtime), and this package, which alone knows specs
(`gocheck.spec`), turns them into models (`gocheck.factory`), runs the
pipeline (`gocheck.pipeline`), prints (`gocheck.report`) and serves the
command line (`gocheck.cli`).
"""

from gocheck.factory import Proof, build, build_model
from gocheck.pipeline import Options, SpecReport, check_all, check_spec
from gocheck.spec import Spec, apply_override, load_spec, load_spec_text

__all__ = ["Options", "Proof", "Spec", "SpecReport", "apply_override", "build", "build_model", "check_all",
           "check_spec", "load_spec", "load_spec_text"]
