"""Product pictures drawn locally as tiny SVGs, so the demo never fetches an image."""
from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

# One simple line drawing per top-level category (24x24 grid, stroked).
GLYPHS = {
    "Electronics": "M5 14a7 7 0 0 1 14 0v4h-3v-5h3M5 13h3v5H5z",
    "Home & Kitchen": "M4 11l8-6 8 6v8H4zM10 19v-5h4v5",
    "Tools & Hardware": "M14 4l6 6-3 3-6-6zM11 7L4 14l6 6 7-7",
    "Garden & Outdoor": "M12 20V10M12 10c-4 0-6-3-6-6 4 0 6 3 6 6zm0 2c3 0 6-2 6-5-3 0-6 2-6 5",
    "Automotive": "M4 15l2-5h12l2 5v3H4zM7 18v2M17 18v2M7 15h.01M17 15h.01",
    "Women's Clothing": "M9 4h6l-1 4 4 12H6l4-12z",
    "Men's Clothing": "M8 4l4 2 4-2 4 4-3 3v9H7v-9L4 8z",
    "Shoes": "M3 16l1-6 5 2 3-3 8 5v3H3z",
    "Bags & Luggage": "M5 9h14v11H5zM9 9V6a3 3 0 0 1 6 0v3",
    "Jewelry & Watches": "M12 20a5 5 0 1 0 0-10 5 5 0 0 0 0 10zM10 10l-1-5h6l-1 5",
    "Beauty & Personal Care": "M10 9h4v11h-4zM11 9V4h2v5",
    "Sports & Fitness": "M3 12h3M18 12h3M6 8v8M18 8v8M8 10v4M16 10v4M8 12h8",
    "Toys & Games": "M6 10h12v9H6zM9 10V7h6v3M9 14h.01M15 14h.01",
    "Baby & Kids": "M12 20a6 6 0 1 0 0-12 6 6 0 0 0 0 12zM12 8V4",
    "Pet Supplies": "M8 9a2 2 0 1 0 0-.1M16 9a2 2 0 1 0 0-.1M12 20c-3 0-5-2-5-4s2-4 5-4 5 2 5 4-2 4-5 4z",
    "Office & Stationery": "M6 4h9l3 3v13H6zM9 10h6M9 13h6M9 16h4",
}
DEFAULT_GLYPH = "M5 7h14v12H5zM5 7l7 5 7-5"


def product_svg(brand: str, category: str, key: str) -> str:
    """A 400x400 SVG: a soft colour from `key`, the category's drawing and the brand name."""
    digest = hashlib.sha1(key.encode()).digest()
    hue = digest[0] * 360 // 256
    glyph = GLYPHS.get(category.split(">")[0].strip(), DEFAULT_GLYPH)
    label = escape(brand[:18])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400">'
        f'<rect width="400" height="400" fill="hsl({hue},55%,92%)"/>'
        f'<circle cx="200" cy="180" r="120" fill="hsl({hue},60%,80%)"/>'
        f'<g transform="translate(104 84) scale(8)" fill="none" stroke="hsl({hue},45%,30%)" '
        f'stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round"><path d="{glyph}"/></g>'
        f'<text x="200" y="360" font-family="sans-serif" font-size="30" text-anchor="middle" '
        f'fill="hsl({hue},40%,25%)">{label}</text></svg>'
    )
