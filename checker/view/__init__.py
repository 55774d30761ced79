"""Counterexample traces a person can read: text, a message sequence chart, one offline HTML page.

The renderers take a `checker.trace.Counterexample` (and, optionally, the
model it belongs to, for lasso stories and explain marks); finding that
model from a spec is the application's job (`gocheck.viewing`).
"""

from checker.view.html import write_html
from checker.view.msc import render_msc
from checker.view.text import annotate, render_text

__all__ = ["annotate", "render_msc", "render_text", "write_html"]
