"""Static files and media as served by gunicorn alone: their caching headers, whether any cookie or session is
involved, and how many files a second page makes the browser fetch or revalidate.

Figure: every stylesheet, script and picture the home page names (fingerprinted URLs). Baseline, same run,
interleaved: the same files under their bare URLs (no fingerprint), as every page named them before. Median of 3
rounds for the byte counts. Goal (issue 15): hashed URLs, `max-age=31536000, immutable`, no cookie or session
touched (no Set-Cookie, no `Vary: Cookie`), nothing revalidated on the next page.

Run: .venv/bin/python benchmarks/static_headers.py   (seeds a throwaway demo store; gunicorn on BENCH_PORT, 8010)
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.served import cookies_from, decoded, get, gunicorn, instance_dir, median, seed_store  # noqa: E402

ROUNDS = 3
IMMUTABLE = "public, max-age=31536000, immutable"


def files_named(html: str) -> list[str]:
    """Every local stylesheet, script and image URL in a page."""
    urls = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) + re.findall(r'<script src="([^"]+)"', html)
    urls += re.findall(r'<img [^>]*src="([^"]+)"', html)
    return sorted({u.replace("&amp;", "&") for u in urls if u.startswith("/")})


def check(url: str, jar: dict[str, str]) -> dict:
    """One file fetched with the browser's cookies: its headers and what they mean for caching."""
    reply = get(url, cookies=jar)
    vary = reply.headers.get("vary", "")
    cache = reply.headers.get("cache-control", "")
    return {"status": reply.status, "cache": cache, "vary": vary, "bytes": reply.wire_bytes,
            "cookie": bool(reply.set_cookies) or "cookie" in vary.lower(),
            "fresh_for_a_year": cache == IMMUTABLE}


def main() -> None:
    """Seed, serve, fetch, print."""
    instance = instance_dir("static-headers-")
    seed_store(instance)
    with gunicorn(instance):
        jar: dict[str, str] = {}
        home = get("/en/", cookies=jar)
        cookies_from(home, jar)  # the browser now has a session cookie, sent with every later request
        urls = files_named(decoded(home))
        rows = {}
        for _ in range(ROUNDS):
            for url in urls:
                bare = url.split("?", 1)[0]
                rows.setdefault(url, {"figure": [], "baseline": []})
                rows[url]["baseline"].append(check(bare, jar))
                rows[url]["figure"].append(check(url, jar))
        print(f"{'file':44} {'Cache-Control':38} {'cookie/Vary: Cookie':>19} {'bytes':>7}")
        totals = {side: {"immutable": 0, "cookie": 0} for side in ("figure", "baseline")}
        media_shown = 0
        for url, sides in rows.items():
            show = not url.startswith("/media/") or media_shown < 2
            media_shown += url.startswith("/media/")
            for side in ("figure", "baseline"):
                last = sides[side][-1]
                assert last["status"] == 200, (url, side, last["status"])
                totals[side]["immutable"] += last["fresh_for_a_year"]
                totals[side]["cookie"] += last["cookie"]
                if show:
                    size = median([r["bytes"] for r in sides[side]])
                    label = (url if side == "figure" else url.split("?", 1)[0] + " (baseline)")[:44]
                    print(f"{label:44} {last['cache'][:38]:38} {'yes' if last['cookie'] else 'no':>19} {size:7,}")
        if media_shown > 2:
            print(f"... and {media_shown - 2} more pictures like the ones above")
        for side in ("figure", "baseline"):
            print(f"{side:8}: {totals[side]['immutable']} of {len(rows)} files immutable for a year; "
                  f"{totals[side]['cookie']} of {len(rows)} set a cookie or vary on it")

if __name__ == "__main__":
    main()
