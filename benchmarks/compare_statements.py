"""SQL statements for the compare page as products are added to it (at most four).

Figure: 4 products compared, each from its own seller. Baseline, same run, interleaved: 1 product. Median of 3
requests each. Goal (issue 15): constant (it was about 5 more per product).

Run: .venv/bin/python benchmarks/compare_statements.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.statements import ROUNDS, build_app, median, shopper_with_items, statements  # noqa: E402


def main() -> None:
    """Build compare lists of 1 to 4 products, count, print."""
    app = build_app()
    with app.app_context():
        lists = {}
        for size in (1, 2, 4):
            shopper, variants = shopper_with_items(app, size, f"k{size}")
            for variant in variants:
                shopper.post("/en/compare", data={"product_id": variant.offer.product_id})
            lists[size] = shopper
        counts = {size: [] for size in lists}
        for _ in range(ROUNDS):
            for size, shopper in lists.items():  # interleaved
                counts[size].append(statements(shopper, "/en/compare"))
    by_size = {size: median(values) for size, values in counts.items()}
    print(f"/en/compare statements, 1 / 2 / 4 products: {by_size[1]} / {by_size[2]} / {by_size[4]} "
          f"(baseline: 1 product, {by_size[1]}); goal constant: "
          f"{'met' if len(set(by_size.values())) == 1 else 'missed'}")


if __name__ == "__main__":
    main()
