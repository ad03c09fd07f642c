"""Benchmark the embedded search engine: build time, size, peak RSS and query latency over a realistic mix."""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search import IndexSettings, SearchFilters, SearchQuery, create_backend  # noqa: E402
from search.synthetic import ADJECTIVES, COLORS, COUNTRIES, TYPES, synthetic_documents  # noqa: E402

LOCALES = ("en", "es", "ar", "zh")


def _typo(word: str, rng: random.Random) -> str:
    """Apply one random edit (swap, drop, replace) to a word of 5+ letters."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "replace"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeiourst") + word[i + 1 :]


def query_mix(count: int, seed: int, category_ids: list[str]) -> list[tuple[str, SearchQuery]]:
    """A labelled mix of queries resembling storefront traffic."""
    rng = random.Random(seed)
    out: list[tuple[str, SearchQuery]] = []
    for _ in range(count):
        loc_index = rng.choices(range(4), weights=(50, 25, 10, 15))[0]
        locale = LOCALES[loc_index]
        type_words = rng.choice(TYPES)[loc_index].split()
        adj = rng.choice(ADJECTIVES)[loc_index]
        roll = rng.random()
        facets: tuple[str, ...] = ("category", "brand", "ships_from", "rating") if rng.random() < 0.6 else ()
        filters = SearchFilters()
        sort = "relevance"
        if roll < 0.25:
            kind, text = "word", " ".join(type_words)
        elif roll < 0.45:
            kind, text = "two words", f"{adj} {' '.join(type_words)}"
        elif roll < 0.58:
            long_words = [w for w in type_words if len(w) >= 5 and locale in ("en", "es")]
            kind = "typo" if long_words else "word"
            text = _typo(long_words[0], rng) if long_words else " ".join(type_words)
        elif roll < 0.70:
            word = " ".join(type_words)
            kind, text = "prefix", word[: max(2, (len(word) * 2) // 3)] if locale != "zh" else word[:1]
        elif roll < 0.82:
            kind, text = "filtered", " ".join(type_words)
            filters = SearchFilters(
                price_min=rng.choice((None, 5.0, 10.0)), price_max=rng.choice((None, 50.0, 100.0)),
                ships_from=tuple(rng.sample(COUNTRIES[4:], 1)) if rng.random() < 0.5 else (),
                free_shipping_to=rng.choice((None, "US", "ES")), min_rating=rng.choice((None, 4.0)),
            )
        elif roll < 0.90:
            kind, text = "sorted", " ".join(type_words)
            sort = rng.choice(("price_asc", "price_desc", "orders", "newest", "rating"))
        else:
            kind, text = "browse category", ""
            filters = SearchFilters(category_id=rng.choice(category_ids))
            facets = ("category", "brand", "ships_from", "seller", "rating")
            sort = rng.choice(("relevance", "price_asc", "newest"))
        if rng.random() < 0.05:
            kind, text = "color+type", f"{rng.choice(COLORS)[loc_index]} {' '.join(type_words)}"
        out.append((kind, SearchQuery(text=text, locale=locale, filters=filters, facets=facets, sort=sort,
                                      per_page=24, page=1 if rng.random() < 0.9 else 2, highlight=bool(text))))
    return out


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p95, p99 in milliseconds."""
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return pick(0.50), pick(0.95), pick(0.99)


def _folder_size(path: Path) -> int:
    """Bytes used by files under path."""
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> None:
    """Build an index of N synthetic products, then time a query mix against it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--path", help="index folder (default: a temporary folder, deleted afterwards)")
    args = parser.parse_args()

    folder = Path(args.path) if args.path else Path(tempfile.mkdtemp(prefix="search-bench-"))
    backend = create_backend("embedded", path=str(folder))
    try:
        backend.ensure_index(IndexSettings())
        started = time.perf_counter()
        count = backend.rebuild(synthetic_documents(args.products, args.seed))
        build_s = time.perf_counter() - started
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        live = next(p for p in folder.iterdir() if p.name == (folder / "CURRENT").read_text().strip())
        print(f"products           {count:,}")
        print(f"build time         {build_s:.1f} s  ({count / build_s:,.0f} docs/s, incl. generating them)")
        print(f"index size         {_folder_size(live) / 2**20:.1f} MiB")
        print(f"peak RSS (build)   {peak_rss_mb:.0f} MiB")

        categories = sorted({c for d in synthetic_documents(2000, args.seed) for c in d.category_ids})
        mix = query_mix(args.queries, args.seed + 1, categories)
        for _, query in mix[:200]:  # warm caches and page the index in
            backend.search(query)
        by_kind: dict[str, list[float]] = defaultdict(list)
        everything: list[float] = []
        hits = 0
        for kind, query in mix:
            t0 = time.perf_counter()
            result = backend.search(query)
            elapsed = time.perf_counter() - t0
            hits += result.total > 0
            by_kind[kind].append(elapsed)
            everything.append(elapsed)
        p50, p95, p99 = _percentiles(everything)
        print(f"queries            {len(everything):,} ({hits / len(everything):.0%} with hits), "
              f"mean {statistics.mean(everything) * 1000:.2f} ms")
        print(f"latency ms         p50 {p50:.2f}  p95 {p95:.2f}  p99 {p99:.2f}")
        for kind, samples in sorted(by_kind.items()):
            k50, k95, k99 = _percentiles(samples)
            print(f"  {kind:<16} n={len(samples):<5} p50 {k50:6.2f}  p95 {k95:6.2f}  p99 {k99:6.2f}")
        started = time.perf_counter()
        for _ in synthetic_documents(args.products, args.seed):
            pass
        print(f"(generating the {args.products:,} documents alone takes {time.perf_counter() - started:.1f} s)")
    finally:
        if not args.path:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
