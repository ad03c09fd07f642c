"""Parts one domain adds to another's pages, without the page's domain importing it.

The product page belongs to the catalog, but its reviews block and its sellers' ratings come from reviews,
which builds on the catalog. Reviews registers providers at start-up (`provide(app, name, fn)`); the
catalog asks for them by name (`part(name, ...)`) and gets the default when none is registered, so the
dependency points one way: reviews -> catalog.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

KEY = "page_parts"


def provide(app: Flask, name: str, fn: Callable[..., Any]) -> None:
    """Register `fn` as the app's provider of the page part `name` (one per name)."""
    parts = app.extensions.setdefault(KEY, {})
    if name in parts and parts[name] is not fn:
        raise RuntimeError(f"page part {name!r} is provided twice")
    parts[name] = fn


def part(name: str, *args: Any, default: Any = None, **kwargs: Any) -> Any:
    """What the provider of `name` returns for these arguments, or `default` when nothing provides it."""
    fn = current_app.extensions.get(KEY, {}).get(name)
    return default if fn is None else fn(*args, **kwargs)
