"""Static files and media as a phone should get them: compressed, fingerprinted, cached for a year, and
served without touching the session, the cookies or the database.

Every file under static/ is hashed once when the app starts; `url_for('static', filename=...)` then adds
`?v=<hash>`, so a changed file gets a new URL and an unchanged one can be cached as immutable. Text files
(CSS, JS, SVG) are compressed once per process, with brotli and gzip, and served as stored, like nginx's
`gzip_static`: no CPU spent per request and no streaming compression. Pages themselves are compressed by
Flask-Compress (init_compression).
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from flask import Flask, Response, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_compress import Compress

from .media import is_upload_file

YEAR = 31_536_000
IMMUTABLE = f"public, max-age={YEAR}, immutable"
# A static URL without its current fingerprint (an old page, a hand-typed address): cached briefly.
UNVERSIONED = "public, max-age=300"
MEDIA_OTHER = "public, max-age=86400"
# Requests that serve files: no shopper context, no session, no database (see is_asset_request).
ASSET_ENDPOINTS = frozenset({"static", "core.media"})
COMPRESSIBLE = frozenset({".css", ".js", ".svg", ".json", ".txt", ".html"})
# Pages, fragments, JSON answers and SVG: every text type the shop sends (Flask-Compress's list minus fonts).
COMPRESS_MIMETYPES = ["text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
                      "application/json", "image/svg+xml", "application/xml"]


@dataclass
class StaticFile:
    """One file of static/: its fingerprint, and its bytes raw and compressed (filled on first use)."""

    path: Path
    version: str
    mimetype: str
    encodings: dict[str, bytes] = field(default_factory=dict)


class StaticFiles:
    """The static folder's files, fingerprinted at start-up; compressed copies made once, on first request."""

    def __init__(self, folder: str | Path) -> None:
        """Hash every file under `folder` (a few small files: CSS, JS, SVG)."""
        self.folder = Path(folder)
        self.files: dict[str, StaticFile] = {}
        self._lock = threading.Lock()
        for path in sorted(p for p in self.folder.rglob("*") if p.is_file()):
            name = path.relative_to(self.folder).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.files[name] = StaticFile(path, digest, mimetype)

    def version(self, filename: str) -> str | None:
        """The fingerprint of `filename`, or None when there is no such file."""
        entry = self.files.get(filename)
        return entry.version if entry else None

    def body(self, entry: StaticFile, encoding: str) -> bytes:
        """The file's bytes in `encoding` ("identity", "br" or "gzip"), made once per process."""
        cached = entry.encodings.get(encoding)
        if cached is not None:
            return cached
        with self._lock:
            if not entry.encodings:
                raw = entry.path.read_bytes()
                entry.encodings["identity"] = raw
                if entry.path.suffix in COMPRESSIBLE:
                    entry.encodings["br"] = brotli.compress(raw, quality=11)
                    entry.encodings["gzip"] = gzip.compress(raw, compresslevel=9, mtime=0)
            return entry.encodings.get(encoding) or entry.encodings["identity"]


def accepted_encoding(entry: StaticFile) -> str:
    """The best encoding this request accepts for the file: brotli, then gzip, else none."""
    if entry.path.suffix not in COMPRESSIBLE:
        return "identity"
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted[encoding]:
            return encoding
    return "identity"


def serve_static(filename: str) -> Response:
    """The `static` endpoint: the stored (compressed) copy, immutable for a year when the URL carries the
    file's current fingerprint, briefly cached otherwise. No session or database is touched."""
    files: StaticFiles = current_app.extensions["static_files"]
    entry = files.files.get(filename)
    if entry is None:
        abort(404)
    encoding = accepted_encoding(entry)
    response = Response(files.body(entry, encoding), mimetype=entry.mimetype)
    if encoding != "identity":
        response.headers["Content-Encoding"] = encoding
    if entry.path.suffix in COMPRESSIBLE:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = IMMUTABLE if request.args.get("v") == entry.version else UNVERSIONED
    response.set_etag(f"{entry.version}-{encoding}")
    return response.make_conditional(request)


def media_cache_control(filename: str) -> str:
    """Uploads are stored under random names and never overwritten, so they (and their thumbnails) are immutable;
    other media (the demo's drawings) may be redrawn and are kept a day."""
    return IMMUTABLE if is_upload_file(filename) else MEDIA_OTHER


class AssetlessSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, never saved for file requests: nothing is written back and no `Vary: Cookie`
    is added (Flask adds it whenever anything, Flask-Login's after-request hook included, merely reads the
    session), so shared caches keep one copy of each file for everybody.

    The session still opens, so an error page for a bad file URL renders like any other.
    """

    def save_session(self, app: Flask, session, response) -> None:
        """Flask's save, skipped under /static/ and /media/."""
        if request.path.startswith(asset_prefixes(app)):
            return
        super().save_session(app, session, response)


def asset_prefixes(app: Flask) -> tuple[str, ...]:
    """URL prefixes under which only files are served."""
    return (f"{app.static_url_path}/", "/media/")


def is_asset_request() -> bool:
    """True for a request that serves a file (static or media): it needs no shopper, session or database."""
    return request.endpoint in ASSET_ENDPOINTS


def init_assets(app: Flask) -> None:
    """Fingerprint static files, serve them precompressed, and compress every page with Flask-Compress."""
    files = StaticFiles(app.static_folder)
    app.extensions["static_files"] = files
    app.view_functions["static"] = serve_static
    app.session_interface = AssetlessSessionInterface()

    @app.url_defaults
    def fingerprint_static(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = files.version(values["filename"])
            if version:
                values["v"] = version

    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESS_MIMETYPES)
    # brotli for browsers (all send "br" over HTTPS), gzip for the rest; zstd and deflate are left out on
    # purpose: the fewer variants a cache keeps per URL, the better.
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    Compress(app)
