"""Page-or-block rendering: one template serves the full page and the fragments HTMX swaps in."""
from __future__ import annotations

from collections.abc import Iterable

from flask import Response, make_response, render_template, request
from jinja2_fragments.flask import render_block


def hx_target() -> str | None:
    """The id of the element an HTMX request will swap, or None for a normal request."""
    if request.headers.get("HX-Request") != "true":
        return None
    return request.headers.get("HX-Target")


def render_page(template: str, blocks: Iterable[str] = (), **context) -> Response:
    """Render `template`, or only its block named like the HX-Target when that is one of `blocks`.

    Block names equal the ids of the elements they fill, so the template is the single source of
    both; boosted links and unknown targets get the whole page.
    """
    target = hx_target()
    if target and target in set(blocks):
        # `fragment` lets a block add out-of-band swaps (the header's mini-cart) only when alone.
        body = render_block(template, target, fragment=True, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body)
    response.vary.add("HX-Request")
    response.vary.add("HX-Target")
    return response
