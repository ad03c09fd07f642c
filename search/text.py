"""Engine-independent text handling: query sanitising, Arabic/CJK normalisation, word splitting, edit distance."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 200
# Meilisearch only looks at the first 10 words of a query; matching that keeps cost bounded.
MAX_QUERY_WORDS = 10
# Meilisearch's typo thresholds (minWordSizeForTypos): oneTypo=5, twoTypos=9.
ONE_TYPO_MIN = 5
TWO_TYPOS_MIN = 9

# Han, kana and compatibility ideographs: written without spaces, so indexed as character n-grams.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
# A "word" is a run of CJK ideographs or a run of other letters/digits (so "蓝牙5" is two words).
_WORD = re.compile(f"[{_CJK}]+|[^\\W_{_CJK}]+")
_ARABIC = re.compile("[\u0600-\u06ff]")
# Harakat, Quranic marks, superscript alef and tatweel carry no meaning for matching.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
# The definite article only counts as a prefix when at least two letters remain after it.
_ARABIC_ARTICLE = re.compile(r"(?<!\w)ال(?=\w\w)")


def sanitize_query(text: object) -> str:
    """Return text without control characters or lone surrogates, at most 200 characters; never raises."""
    try:
        if not isinstance(text, str):
            return ""
        # Only look at a bounded prefix: a 10 MB query must not cost 10 MB of work.
        raw = text[: MAX_QUERY_CHARS * 4]
        out: list[str] = []
        for ch in raw:
            category = unicodedata.category(ch)
            if category == "Cc" or ch in "\u2028\u2029":
                out.append(" ")  # tabs/newlines separate words, so keep a separator
            elif category == "Cs" or ch == "\ufeff":
                continue  # lone surrogates cannot even be encoded; a BOM is invisible noise
            else:
                out.append(ch)
        return "".join(out)[:MAX_QUERY_CHARS]
    except Exception:  # noqa: BLE001 - the contract is "never raises"
        return ""


def normalize_arabic(text: str) -> str:
    """Strip diacritics/tatweel, unify alef forms, map ة->ه and ى->ي, and drop the "ال" article."""
    if not _ARABIC.search(text):
        return text
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    return _ARABIC_ARTICLE.sub("", text)


def cjk_grams(run: str) -> list[str]:
    """Return the unigrams and adjacent bigrams of a CJK run, in reading order."""
    grams: list[str] = []
    for i, ch in enumerate(run):
        grams.append(ch)
        if i + 1 < len(run):
            grams.append(run[i : i + 2])
    return grams


def query_grams(run: str) -> list[str]:
    """Return the n-grams a CJK query word must all match: its bigrams, or the single character."""
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def prepare_for_index(text: str) -> str:
    """Rewrite text into the token stream the engine's simple tokenizer should see."""
    if not text:
        return ""
    text = normalize_arabic(unicodedata.normalize("NFKC", text))
    if _CJK_RUN.search(text):
        # tantivy has no CJK segmenter; unigram+bigram tokens let a two-character word match
        # anywhere inside a longer run ("蓝牙" inside "无线蓝牙耳机").
        text = _CJK_RUN.sub(lambda m: " " + " ".join(cjk_grams(m.group(0))) + " ", text)
    return text


def fold(word: str) -> str:
    """Lower-case and strip accents (close to tantivy's lowercase + ASCII folding)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


def is_cjk(word: str) -> bool:
    """True when word is a run of CJK characters."""
    return bool(_CJK_RUN.fullmatch(word))


@dataclass(frozen=True)
class QueryWord:
    """One word of a query after normalisation, with its Meilisearch-style typo budget."""

    text: str  # Arabic-normalised, NFKC, original case: what analysers receive
    folded: str  # lower-cased, accent-free: what prefix and highlight matching compare
    cjk: bool
    typos: int
    prefix: bool


def typo_budget(word: str) -> int:
    """Edits allowed for word: 0 below 5 characters, 1 for 5-8, 2 from 9."""
    length = len(word)
    if length >= TWO_TYPOS_MIN:
        return 2
    if length >= ONE_TYPO_MIN:
        return 1
    return 0


def split_words(text: str) -> list[str]:
    """Split text into words the way queries are split (CJK runs and letter/digit runs)."""
    return _WORD.findall(text)


def query_words(text: str) -> list[QueryWord]:
    """Parse sanitised query text into at most 10 words; the last one is a prefix unless text ends in a space."""
    normalized = normalize_arabic(unicodedata.normalize("NFKC", text))
    raw = split_words(normalized)[:MAX_QUERY_WORDS]
    ends_open = bool(normalized) and not normalized[-1].isspace()
    words: list[QueryWord] = []
    for i, word in enumerate(raw):
        cjk = is_cjk(word)
        folded = word if cjk else fold(word)
        last = i == len(raw) - 1
        words.append(
            QueryWord(
                text=word,
                folded=folded,
                cjk=cjk,
                typos=0 if cjk else typo_budget(folded),
                prefix=last and ends_open and not cjk,
            )
        )
    return words


def word_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) character spans of the words in text, for highlighting the original string."""
    spans: list[tuple[int, int]] = []
    # Marks are not word characters for `re`, yet they sit inside words ("café" decomposed,
    # vowelled Arabic), so glue them to the preceding word.
    for match in re.finditer(f"[{_CJK}]+|(?:[^\\W_{_CJK}][\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670]*)+", text):
        spans.append((match.start(), match.end()))
    return spans


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (transposition = 1 edit), returning limit+1 once it exceeds limit."""
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    # Each edit changes the symmetric difference of the character sets by at most two: a cheap
    # C-speed rejection before the quadratic loop.
    if len(set(a) ^ set(b)) > 2 * limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        row_min = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, prev2[j - 2] + 1)
            cur[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        prev2, prev = prev, cur
    return min(prev[-1], limit + 1)


def prefix_distance(prefix: str, word: str, limit: int) -> int:
    """Smallest edit distance between prefix and any prefix of word (how a fuzzy prefix query matches)."""
    best = limit + 1
    low = max(0, len(prefix) - limit)
    for end in range(low, min(len(word), len(prefix) + limit) + 1):
        best = min(best, edit_distance(prefix, word[:end], limit))
        if best == 0:
            break
    return best


def tally_near_words(titles, target: str, limit: int, best: dict[str, tuple[int, int]]) -> None:
    """Add to `best` every title word within `limit` edits of the folded `target` ("did you mean").

    `best` maps a folded word to (its distance, how many times it was seen); both engines use it
    to pick a correction from their own hits' titles.
    """
    for title in titles:
        for start, end in word_spans(title):
            token = title[start:end]
            if is_cjk(token):
                continue
            folded = fold(normalize_arabic(unicodedata.normalize("NFKC", token)))
            distance = edit_distance(target, folded, limit)
            if 0 < distance <= limit:
                best[folded] = (distance, best.get(folded, (distance, 0))[1] + 1)
