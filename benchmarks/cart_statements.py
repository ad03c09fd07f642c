"""SQL statements for the cart page (and the checkout review, which loads the same cart) as lines are added.

Figure: the cart with 20 lines from 20 sellers (20 packages). Baseline, same run, interleaved: the cart with 1 line.
Median of 3 requests each. Goal (issue 15): constant, at most 15 (it was 15 -> 68 before the eager-loaded lines
were kept).

Run: .venv/bin/python benchmarks/cart_statements.py
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.statements import ROUNDS, build_app, median, shopper_with_items, statements  # noqa: E402
from tests.builders import BUYER  # noqa: E402

GOAL = 15


def main() -> None:
    """Build two carts, count, print."""
    app = build_app()
    with app.app_context():
        carts = {}
        for size in (1, 5, 20):
            shopper, variants = shopper_with_items(app, size, f"c{size}")
            for variant in variants:
                shopper.post("/en/cart/add", data={"variant_id": variant.id, "qty": 1})
            shopper.post("/en/checkout/", data=BUYER | {"payment_method": "bank_transfer"})
            carts[size] = shopper
        counts = {(size, page): [] for size in carts for page in ("/en/cart/", "/en/checkout/review")}
        for _ in range(ROUNDS):
            for size, shopper in carts.items():  # interleaved: 1, 5, 20 lines in turn
                for page in ("/en/cart/", "/en/checkout/review"):
                    counts[(size, page)].append(statements(shopper, page))
    for page in ("/en/cart/", "/en/checkout/review"):
        by_size = {size: median(counts[(size, page)]) for size in carts}
        steady = len(set(by_size.values())) == 1
        print(f"{page:22} statements, 1 / 5 / 20 lines: {by_size[1]} / {by_size[5]} / {by_size[20]} "
              f"(baseline: 1 line, {by_size[1]}); goal constant and <= {GOAL}: "
              f"{'met' if steady and by_size[20] <= GOAL else 'missed'}")


if __name__ == "__main__":
    main()
