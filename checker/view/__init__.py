"""Counterexample traces a person can read: text, a message sequence chart, one offline HTML page.

``python -m checker view TRACE`` and ``python -m checker replay SPEC --path P``
are dispatched here by :mod:`checker.cli` (`parser`, `main`, `replay_main`).
"""

from checker.view.commands import main, parser, replay_main
from checker.view.html import write_html
from checker.view.msc import render_msc
from checker.view.text import render_text

__all__ = ["parser", "main", "replay_main", "render_text", "render_msc", "write_html"]
