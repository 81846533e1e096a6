"""This instance's Ed25519 signing key: create it once, load it to seal envelopes, show its public half.

The private key lives in `<data dir>/keys/signing-key.pem`, mode 0600 in a 0700 folder, and is
never printed or logged. Partners receive the base64 public key and check its fingerprint with us
over a second channel (telephone) before putting it in their agreement.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from borderwatch.errors import ConfigError, ConflictError, InputError
from borderwatch.sharing.envelope import (
    fingerprint,
    generate_key_pair,
    load_private_key_pem,
    public_key_b64,
    write_private_key,
)

PRIVATE_KEY_FILE = "signing-key.pem"


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """The public half of this instance's signing key, where the private half lives, and if it is new."""

    public_key: str  # base64 of the raw 32-byte Ed25519 public key
    fingerprint: str  # SHA-256 of the raw public key, 16 groups of 4 hex digits
    path: Path
    created: bool = False

    def as_dict(self) -> dict[str, object]:
        """Return the key information as a JSON-ready mapping (no secret in it)."""
        return {
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
            "path": str(self.path),
            "created": self.created,
            "algorithm": "Ed25519",
        }


def private_key_path(keys_dir: Path) -> Path:
    """Return the path of the private signing key inside `keys_dir`."""
    return keys_dir / PRIVATE_KEY_FILE


def init_keys(keys_dir: Path, *, force: bool = False) -> KeyInfo:
    """Return the public key and fingerprint of a new signing key written to `keys_dir`.

    Refuses (ConflictError) when a key already exists, unless `force`: partners hold the old public
    key in their agreements, and replacing it breaks sharing until they are given the new one.
    """
    path = private_key_path(keys_dir)
    if path.exists() and not force:
        raise ConflictError(
            f"a signing key already exists at {path}; partners trust it. "
            "Use --force only to replace it, then send partners the new public key."
        )
    try:
        keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the keys folder {keys_dir}: {exc.strerror or exc}") from exc
    pem, public = generate_key_pair()
    try:
        write_private_key(path, pem, overwrite=force)
    except FileExistsError as exc:  # another `keys init` won the race since the check above
        raise ConflictError(f"a signing key already exists at {path}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot write the signing key to {path}: {exc.strerror or exc}") from exc
    return KeyInfo(public_key=public, fingerprint=fingerprint(public), path=path, created=True)


def load_private_key(keys_dir: Path) -> Ed25519PrivateKey:
    """Return this instance's private signing key, or raise ConfigError saying what is wrong.

    Like OpenSSH, refuses a key file that others may read or write (mode not 0600 or stricter).
    """
    path = private_key_path(keys_dir)
    try:
        info = path.stat()
        if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
            raise ConfigError(
                f"signing key {path} is accessible to other users (mode {stat.S_IMODE(info.st_mode):04o}); "
                f"run `chmod 600 {path}`"
            )
        pem = path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"no signing key at {path}; run `borderwatch keys init`") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read the signing key {path}: {exc.strerror or exc}") from exc
    try:
        return load_private_key_pem(pem)
    except InputError as exc:
        raise ConfigError(f"signing key {path} is unusable: {exc.message}") from exc


def show_keys(keys_dir: Path) -> KeyInfo:
    """Return the public key and fingerprint of this instance's signing key (ConfigError if there is none)."""
    private_key = load_private_key(keys_dir)
    public = public_key_b64(private_key)
    return KeyInfo(public_key=public, fingerprint=fingerprint(public), path=private_key_path(keys_dir))
