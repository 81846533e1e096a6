"""The instance signing key: created once with mode 0600, never overwritten by accident, loadable."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from borderwatch.errors import ConfigError, ConflictError
from borderwatch.services.keys import init_keys, load_private_key, private_key_path, show_keys
from borderwatch.sharing.envelope import fingerprint, public_key_b64


def test_init_creates_a_private_key_readable_by_the_owner_only(tmp_path: Path) -> None:
    keys_dir = tmp_path / "data" / "keys"
    previous = os.umask(0o022)  # the usual umask would make an ordinary file world-readable
    try:
        info = init_keys(keys_dir)
    finally:
        os.umask(previous)
    path = private_key_path(keys_dir)
    assert info.path == path
    assert info.created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys_dir.stat().st_mode) == 0o700
    assert len(base64.b64decode(info.public_key)) == 32
    assert info.fingerprint == fingerprint(info.public_key)
    assert public_key_b64(load_private_key(keys_dir)) == info.public_key
    assert "PRIVATE" not in str(info.as_dict())


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    first = init_keys(tmp_path)
    before = private_key_path(tmp_path).read_bytes()
    with pytest.raises(ConflictError, match="already exists"):
        init_keys(tmp_path)
    assert private_key_path(tmp_path).read_bytes() == before
    assert show_keys(tmp_path).public_key == first.public_key


def test_init_force_replaces_the_key(tmp_path: Path) -> None:
    first = init_keys(tmp_path)
    second = init_keys(tmp_path, force=True)
    assert second.public_key != first.public_key
    assert show_keys(tmp_path).public_key == second.public_key
    assert stat.S_IMODE(private_key_path(tmp_path).stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["signing-key.pem"]


def test_show_without_a_key_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="borderwatch keys init"):
        show_keys(tmp_path)


def test_load_refuses_a_key_others_can_read(tmp_path: Path) -> None:
    init_keys(tmp_path)
    path = private_key_path(tmp_path)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_private_key(tmp_path)


def test_load_refuses_a_damaged_key(tmp_path: Path) -> None:
    init_keys(tmp_path)
    path = private_key_path(tmp_path)
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n")
    with pytest.raises(ConfigError, match="unusable"):
        load_private_key(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_unwritable_folder_is_a_config_error(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(ConfigError, match="cannot write the signing key"):
            init_keys(tmp_path / "keys")
    finally:
        tmp_path.chmod(0o700)


def test_keys_folder_that_is_a_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "keys").write_text("not a folder")
    with pytest.raises(ConfigError, match="cannot create the keys folder"):
        init_keys(tmp_path / "keys")
