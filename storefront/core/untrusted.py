"""Reading input nobody vouches for (forms, URLs, import lines, webhook bodies) without letting it reach the
database in a shape the database refuses, or shows people something other than what it is."""
from __future__ import annotations

import json
import re

# Ids are 32-bit integer columns on PostgreSQL; anything larger names nothing and must not reach the database.
MAX_ID = 2**31 - 1


def small_int(value: str | None) -> int | None:
    """`value` as a non-negative integer an id or page number can be (ASCII digits, at most MAX_ID), else None.

    `str.isdigit()` alone lets "²" and 5,000-digit numbers through, which `int()` or the database then refuse.
    """
    if not value or len(value) > 10 or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= MAX_ID else None


# Bidirectional overrides and isolates, zero-width characters and the byte-order mark: invisible, they make a
# title or a name read differently from what it is ("moc.elppa" shown as "apple.com"), so names never keep them.
INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff]")


def strip_invisible(text: str) -> str:
    """`text` without direction overrides, isolates and zero-width characters (product titles, account and
    store names), trimmed."""
    return INVISIBLE.sub("", text).strip()


def load_json(raw: str | bytes) -> object:
    """Parse untrusted JSON (an import line, a webhook body).

    :raises ValueError: not JSON, nested too deeply for the parser (a 100,000-deep array), or holding a NUL
        character, which no database text column takes; the message says which.
    """
    try:
        data = json.loads(raw)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    pending = [data]
    while pending:  # a loop, not recursion: the value may be as deep as the parser allowed
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ValueError("contains a NUL character")
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return data
