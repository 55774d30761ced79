"""Bad-input errors for specs and Go source (the engine's `InputError`)."""

from checker.errors import InputError, SpecError

__all__ = ["InputError", "SpecError"]
