"""On-disk layout of the embedded index: generations behind an atomic pointer, file locks and the rebuild journal."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

import tantivy

from search.backend import SearchConfigError, SearchUnavailable
from search.embedded_schema import SCHEMA, SCHEMA_VERSION, register_analyzers
from search.synonyms import normalized_table
from search.types import IndexSettings, ProductDocument

# Layout of the index folder:
#   CURRENT          name of the live generation folder (replaced atomically by rename)
#   gen-<ns>-<hex>/  a complete tantivy index plus search_meta.json
#   settings.json    IndexSettings shared by every process
#   write.lock       flock serialising writers across processes
#   rebuild.lock     flock held for the whole duration of a rebuild
#   REBUILDING       marker naming the generation being built; while it exists writers also
#   journal.jsonl    append their changes here, and the rebuild replays them before swapping
POINTER = "CURRENT"
SETTINGS = "settings.json"
WRITE_LOCK = "write.lock"
REBUILD_LOCK = "rebuild.lock"
MARKER = "REBUILDING"
JOURNAL = "journal.jsonl"
META = "search_meta.json"
GEN_NAME = re.compile(r"^gen-\d+-[0-9a-f]+$")
LOCK_TIMEOUT_S = 30.0

Signature = tuple[int, int, int]


def file_sig(path: Path) -> Signature | None:
    """Identity of a file version (inode, mtime, size); renames and rewrites both change it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def atomic_write(path: Path, data: str) -> None:
    """Write a small file so readers see either the old or the new content, never a mix."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _read_text(path: Path) -> str | None:
    """A small file's UTF-8 text; None when it is missing, unreadable or not text (a damaged index)."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None


def open_index(folder: Path) -> tantivy.Index:
    """Open a generation folder with our analysers registered (tantivy does not persist them)."""
    index = tantivy.Index.open(str(folder))
    register_analyzers(index)
    return index


@dataclass
class Generation:
    """An opened index generation and the file signatures it was opened or reloaded at."""

    name: str
    index: tantivy.Index
    pointer_sig: Signature | None
    meta_sig: Signature | None
    pid: int  # tantivy's reader threads do not survive fork(): reopen in a new process


class IndexStore:
    """Owns the index folder: which generation is live, who may write, and what a rebuild must replay."""

    def __init__(self, root: Path) -> None:
        """Remember the folder; nothing is touched until first use."""
        self.root = root
        self.lock = threading.RLock()
        self._gen: Generation | None = None
        self._settings_sig: Signature | None = None
        self.synonyms: dict[str, list[str]] = normalized_table(IndexSettings().synonyms)

    # ----------------------------------------------------------------- locks
    @contextlib.contextmanager
    def flock(self, name: str, blocking: bool = True) -> Iterator[bool]:
        """Hold an exclusive flock on root/name; yields False if non-blocking and already held."""
        fh = open(self.root / name, "a+")
        try:
            deadline = time.monotonic() + LOCK_TIMEOUT_S
            while True:
                try:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not blocking:
                        yield False
                        return
                    if time.monotonic() > deadline:
                        raise SearchUnavailable(f"index at {self.root} stayed locked by another writer")
                    time.sleep(0.01)
            yield True
        finally:
            fh.close()  # closing the descriptor releases the flock

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Serialise writers within this process (thread lock) and across processes (flock)."""
        with self.lock, self.flock(WRITE_LOCK):
            yield

    # ----------------------------------------------------------------- generations
    def make_root(self) -> None:
        """Create the folder, failing with a configuration error if it cannot be written."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            (self.root / WRITE_LOCK).touch(exist_ok=True)
        except OSError as exc:
            raise SearchConfigError(f"search index path {str(self.root)!r} is not writable: {exc}") from exc

    def create_generation(self) -> str:
        """Create an empty, committed index in a new generation folder and return its name."""
        name = f"gen-{time.time_ns()}-{secrets.token_hex(3)}"
        folder = self.root / name
        folder.mkdir(parents=True)
        index = tantivy.Index(SCHEMA, path=str(folder), reuse=False)
        register_analyzers(index)
        atomic_write(folder / META, json.dumps({"schema_version": SCHEMA_VERSION}))
        return name

    def ensure(self, settings: IndexSettings) -> None:
        """Store settings for every process and make sure a live generation exists."""
        self.make_root()
        with self.writing():
            payload = json.dumps({"synonyms": settings.synonyms}, ensure_ascii=False, sort_keys=True)
            path = self.root / SETTINGS
            if _read_text(path) != payload:  # missing, stale or garbled: the code's settings are the truth
                atomic_write(path, payload)
            pointer = self.root / POINTER
            name = _read_text(pointer) if pointer.exists() else ""
            if name is None or (name and not GEN_NAME.match(name.strip())):
                # Garbage where the pointer should be: starting an empty index would silently answer every
                # search with nothing, so report it; the app falls back to the database until a rebuild.
                raise SearchUnavailable(f"search index pointer {pointer} is corrupted; rebuild the index")
            name = name.strip()
            if not name or not (self.root / name).is_dir():
                atomic_write(pointer, self.create_generation())

    def current(self) -> Generation:
        """Return the live generation, reopening after a swap and reloading after other processes' commits."""
        with self.lock:
            pointer = self.root / POINTER
            pointer_sig = file_sig(pointer)
            if pointer_sig is None:
                raise SearchUnavailable(f"no search index at {self.root}; run ensure_index() or rebuild()")
            gen = self._gen
            if gen is None or gen.pointer_sig != pointer_sig or gen.pid != os.getpid():
                gen = self._open(pointer.read_text(encoding="utf-8").strip(), pointer_sig)
                self._gen = gen
            else:
                meta_sig = file_sig(self.root / gen.name / "meta.json")
                if meta_sig != gen.meta_sig:
                    # Another process committed: reload now rather than wait for tantivy's watcher.
                    gen.index.reload()
                    gen.meta_sig = meta_sig
            self._load_settings()
            return gen

    def _open(self, name: str, pointer_sig: Signature) -> Generation:
        """Open the generation the pointer names, refusing folders built by another schema version."""
        folder = self.root / name
        if not GEN_NAME.match(name) or not folder.is_dir():
            raise SearchUnavailable(f"search index pointer in {self.root} names a missing folder {name!r}")
        try:
            meta = json.loads((folder / META).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"search index {folder} is incomplete: {exc}") from exc
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise SearchUnavailable(
                f"search index {folder} has schema version {meta.get('schema_version')}, "
                f"this code needs {SCHEMA_VERSION}: run rebuild()"
            )
        return Generation(name, open_index(folder), pointer_sig, file_sig(folder / "meta.json"), os.getpid())

    def note_commit(self, gen: Generation) -> None:
        """Record our own commit so the next read does not reload again."""
        gen.meta_sig = file_sig(self.root / gen.name / "meta.json")

    def _load_settings(self) -> None:
        """Pick up settings.json when another process (or ensure_index) changed it."""
        sig = file_sig(self.root / SETTINGS)
        if sig == self._settings_sig:
            return
        synonyms = IndexSettings().synonyms
        if sig is not None:
            with contextlib.suppress(OSError, ValueError):
                data = json.loads((self.root / SETTINGS).read_text(encoding="utf-8"))
                synonyms = {str(k): [str(v) for v in vs] for k, vs in data.get("synonyms", {}).items()}
        self.synonyms = normalized_table(synonyms)
        self._settings_sig = sig

    def swap(self, name: str) -> None:
        """Make generation `name` live for every process (atomic rename of the pointer)."""
        atomic_write(self.root / POINTER, name)

    def collect_garbage(self, keep: str) -> None:
        """Delete generations older than the previous one (a slow reader may still use that one)."""
        names = sorted(p.name for p in self.root.iterdir() if p.is_dir() and GEN_NAME.match(p.name))
        older = [n for n in names if n < keep]
        for name in older[:-1]:
            shutil.rmtree(self.root / name, ignore_errors=True)

    # ----------------------------------------------------------------- rebuild journal
    def begin_rebuild(self, name: str) -> None:
        """Announce a rebuild into `name` (call under writing()) so writers start journalling."""
        atomic_write(self.root / MARKER, json.dumps({"generation": name, "pid": os.getpid()}))
        atomic_write(self.root / JOURNAL, "")

    def end_rebuild(self) -> None:
        """Stop journalling (after a swap or a failure)."""
        for name in (MARKER, JOURNAL):
            with contextlib.suppress(FileNotFoundError):
                (self.root / name).unlink()

    def journal(self, upserts: Sequence[ProductDocument], deletes: Sequence[str]) -> None:
        """While a rebuild runs, record a write batch (call under writing()) for it to replay."""
        if not (self.root / MARKER).exists():
            return
        with self.flock(REBUILD_LOCK, blocking=False) as free:
            if free:  # the rebuild that left the marker died: nothing will replay the journal
                self.end_rebuild()
                return
        with open(self.root / JOURNAL, "a", encoding="utf-8") as fh:
            if deletes:
                fh.write(json.dumps({"delete": list(deletes)}) + "\n")
            for doc in upserts:
                fh.write(json.dumps({"upsert": doc.to_json()}, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def journalled(self) -> tuple[list[ProductDocument], list[str]]:
        """Collapse the journal into one batch: only each id's last change matters."""
        path = self.root / JOURNAL
        final: dict[str, ProductDocument | None] = {}
        for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
            entry: dict[str, Any] = json.loads(line)
            for doc_id in entry.get("delete", []):
                final[doc_id] = None
            if "upsert" in entry:
                doc = ProductDocument.from_json(entry["upsert"])
                final[doc.id] = doc
        upserts = [d for d in final.values() if d is not None]
        deletes = [i for i, d in final.items() if d is None]
        return upserts, deletes
