"""The ballot log's keys and encodings: the signing key, origins, canonical leaf bytes, trackers.

The signing key is an Ed25519 seed from `settings.LEDGER_KEY` (64 hex digits, or a path to a
file holding them or 32 raw bytes). Without one, a development key is generated once in
`settings.DATA_DIR/ledger-dev.key`; a production start refuses to run without a real key
(core.checks). One key signs every vote's log; each vote's log has its own origin
`<LEDGER_ORIGIN>/<vote id>`, and the key's name is `LEDGER_ORIGIN`.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from smartseoul.lib import merkle

DEV_KEY_FILE = "ledger-dev.key"
CHECKPOINT_INTERVAL_SECONDS = 10

_lock = threading.Lock()
_cache: dict[tuple[str, str], bytes] = {}


def _read_seed(value: str) -> bytes:
    value = value.strip()
    if len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value):
        return bytes.fromhex(value)
    path = Path(value)
    if not path.is_file():
        raise ImproperlyConfigured("SMARTSEOUL_LEDGER_KEY is neither 64 hex digits nor a readable file.")
    raw = path.read_bytes()
    text = raw.strip()
    if len(text) == 64:
        try:
            return bytes.fromhex(text.decode())
        except (UnicodeDecodeError, ValueError):
            pass
    if len(raw) == 32:
        return raw
    raise ImproperlyConfigured(f"{path}: a ledger key file holds 64 hex digits or 32 raw bytes.")


def signing_seed() -> bytes:
    configured = getattr(settings, "LEDGER_KEY", "") or ""
    data_dir = str(getattr(settings, "DATA_DIR", "."))
    cache_key = (configured, data_dir)
    with _lock:
        if cache_key in _cache:
            return _cache[cache_key]
        if configured:
            seed = _read_seed(configured)
        else:
            if getattr(settings, "PRODUCTION", False):
                raise ImproperlyConfigured("SMARTSEOUL_LEDGER_KEY is required in production.")
            path = Path(data_dir) / DEV_KEY_FILE
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_bytes(32).hex() + "\n")
            seed = _read_seed(str(path))
        _cache[cache_key] = seed
        return seed


def key_name() -> str:
    return str(getattr(settings, "LEDGER_ORIGIN", "vote.smartseoul.local/log"))


def origin(vote_id: int) -> str:
    return f"{key_name()}/{vote_id}"


_signers: dict[tuple[str, bytes], merkle.Signer] = {}


def signer() -> merkle.Signer:
    cache_key = (key_name(), signing_seed())
    found = _signers.get(cache_key)
    if found is None:
        found = _signers[cache_key] = merkle.Signer(*cache_key)
    return found


def verifier_key() -> merkle.VerifierKey:
    return signer().verifier


def sign(vote_id: int, size: int, root: bytes) -> str:
    return signer().sign(merkle.Checkpoint(origin(vote_id), size, root))


def canonical_json(obj: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text: the exact bytes hashed into a leaf."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def iso_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def tracker_for(leaf_hash: bytes) -> str:
    """The voter-facing code of a leaf: the first 80 bits of its hash in base32, in groups."""
    code = base64.b32encode(leaf_hash[:10]).decode()
    return "-".join(code[i : i + 4] for i in range(0, 16, 4))


def split_frontier(blob: bytes) -> list[bytes]:
    return [bytes(blob[i : i + 32]) for i in range(0, len(blob), 32)]
