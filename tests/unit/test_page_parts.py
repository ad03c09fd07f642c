"""Page parts: one domain adds to another's pages without the page's domain importing it."""
from __future__ import annotations


def test_a_page_part_comes_from_its_provider_or_the_default():
    """core/page_parts: the catalog asks by name; reviews provides; a second provider is an error."""
    import pytest
    from flask import Flask

    from storefront.core.page_parts import part, provide

    app = Flask("t")
    with app.app_context():
        assert part("seller_stats", [1], default={}) == {}
        provide(app, "seller_stats", lambda ids: {i: "stats" for i in ids})
        assert part("seller_stats", [1, 2], default={}) == {1: "stats", 2: "stats"}
        with pytest.raises(RuntimeError, match="provided twice"):
            provide(app, "seller_stats", lambda ids: {})
