"""Bytes of the picture a product card makes a 2x-density phone (360 px wide) download.

Three camera-like photos (made here, as tests/builders.photo_jpeg does: no photo files ship with the project) are
uploaded through the shop's own store_image, listed, and the category page is rendered through Flask. The card's
srcset and sizes are resolved as a browser does (the smallest candidate at least `sizes` x 2 wide).

Figure: that candidate's bytes. Baseline, same run, interleaved: the picture itself (1,200 px WebP), which every
card loaded before. Median of the 3 photos. Goal (issue 15): at most 15 KB.

Run: .venv/bin/python benchmarks/card_images.py
"""
from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("STOREFRONT_INSTANCE", tempfile.mkdtemp(prefix="card-images-"))
os.environ.setdefault("SECRET_KEY", "bench-secret")

from storefront import create_app  # noqa: E402
from storefront.cli import upgrade_database  # noqa: E402
from storefront.currency.services import load_snapshot  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.sellers.images import store_image  # noqa: E402
from tests.builders import photo_jpeg  # noqa: E402
from tests.factories import add_listing  # noqa: E402

GOAL = 15 * 1024
VIEWPORT, DENSITY = 360, 2


def chosen_candidate(tag: str) -> str:
    """The srcset candidate a 360 px, 2x browser takes for this <img>: the first `sizes` entry whose media
    condition holds (only min-width conditions are used here), then the smallest width covering it x DENSITY."""
    srcset = re.search(r'srcset="([^"]+)"', tag).group(1)
    sizes = re.search(r'sizes="([^"]+)"', tag).group(1)
    slot = None
    for entry in (part.strip() for part in sizes.split(",")):
        condition = re.match(r"\(min-width: (\d+)px\) (.+)", entry)
        if condition is None:
            slot = entry
            break
        if VIEWPORT >= int(condition.group(1)):
            slot = condition.group(2)
            break
    width = float(slot[:-2]) * VIEWPORT / 100 if slot.endswith("vw") else float(slot[:-2])
    candidates = sorted((int(w[:-1]), url) for url, w in (c.strip().split() for c in srcset.split(",")))
    return next((url for w, url in candidates if w >= width * DENSITY), candidates[-1][1])


def main() -> None:
    """Upload, list, render, resolve, print."""
    app = create_app({"WTF_CSRF_ENABLED": False})
    media = Path(app.config["MEDIA_PATH"])
    figures, baselines = [], []
    with app.app_context():
        upgrade_database()
        load_snapshot(db.session)
        db.session.commit()
        for seed in (1, 2, 3):
            path = store_image(io.BytesIO(photo_jpeg(seed=seed)), media, "photos")
            product = add_listing(db.session, seller={"handle": "photos", "name": "Photos", "country": "CN"},
                                  images=[path], model=f"Photo-{seed}",
                                  variants=[{"sku": f"PH-{seed}", "options": {}, "price": "9.00", "currency": "USD",
                                             "stock": 5}])
            html = app.test_client().get(f"/en/c/{product.category.slug}").data.decode()
            tag = next(t for t in re.findall(r"<img [^>]+>", html) if path.rsplit(".", 1)[0] in t)
            baselines.append((media / path).stat().st_size)  # interleaved: baseline, then figure, per photo
            figures.append((media / chosen_candidate(tag).removeprefix("/media/")).stat().st_size)
            print(f"photo {seed}: card picks {chosen_candidate(tag)}: {figures[-1]:,} bytes "
                  f"(baseline, the 1,200 px picture: {baselines[-1]:,})")
    figure, baseline = sorted(figures)[1], sorted(baselines)[1]
    print(f"card picture at 2x, median of 3: {figure / 1024:.1f} KB; baseline {baseline / 1024:.1f} KB; "
          f"goal <= {GOAL // 1024} KB: {'met' if figure <= GOAL else f'missed by {(figure - GOAL) / 1024:.1f} KB'}")


if __name__ == "__main__":
    main()
