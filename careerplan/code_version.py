"""A digest of the code that shapes a response: what a key for a stored or cached body, or an
ETag, must include so that a deploy which changes how bodies are made never serves one made by
the older code (plans' stored renderings, the catalogue's ETags and cached bodies)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent  # the repository: one package per app
# the libraries that format and render response bodies
RENDERING_LIBRARIES = ("django", "djangorestframework", "drf-orjson-renderer", "orjson")


def source_digest(apps: Iterable[str], libraries: Iterable[str], extra: str = "") -> str:
    """12 hex digits of the apps' Python sources (paths and bytes), the libraries' installed
    versions and `extra` (settings the code reads)."""
    digest = hashlib.sha256()
    for app in apps:
        for source in sorted((ROOT / app).rglob("*.py")):
            digest.update(str(source.relative_to(ROOT)).encode() + b"\0" + source.read_bytes())
    for library in libraries:
        digest.update(f"{library}=={metadata.version(library)}".encode())
    digest.update(extra.encode())
    return digest.hexdigest()[:12]
