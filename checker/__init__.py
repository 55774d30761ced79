"""The model-agnostic explicit-state engine."""

from checker.model import HOLDS, Model, Property, Verdict, unknown, violated

__all__ = ["HOLDS", "Model", "Property", "Verdict", "unknown", "violated"]
