"""Where the daemon's files go, and the socket directory checks that keep other users out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ghostfill.daemon.paths import UnsafeDirectory, build_id, locations, secure_runtime_dir
from ghostfill.daemon.relay import daemon_settings


def test_xdg_directories_are_used_when_set(tmp_path: Path) -> None:
    loc = locations(
        {"XDG_RUNTIME_DIR": str(tmp_path / "run"), "XDG_STATE_HOME": str(tmp_path / "st")}
    )
    assert loc.socket == str(tmp_path / "run" / "ghostfill" / f"daemon-{build_id()}.sock")
    assert loc.log == str(tmp_path / "st" / "ghostfill" / "daemon.log")


def test_fallbacks_without_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    loc = locations({"XDG_RUNTIME_DIR": "relative/not/allowed"})
    assert loc.runtime == f"/tmp/ghostfill-{os.getuid()}"
    assert loc.state == str(tmp_path / ".local" / "state" / "ghostfill")


def test_the_build_names_version_and_install() -> None:
    from ghostfill import __version__

    assert build_id().startswith(f"{__version__}-") and build_id() == build_id()


def test_a_new_directory_is_made_private(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        secure_runtime_dir(str(tmp_path / "gf"))
    finally:
        os.umask(old)
    assert (tmp_path / "gf").stat().st_mode & 0o777 == 0o700


@pytest.mark.parametrize("mode", [0o755, 0o770, 0o701])
def test_an_open_directory_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "gf"
    path.mkdir()
    path.chmod(mode)
    with pytest.raises(UnsafeDirectory, match=f"mode {mode:04o}"):
        secure_runtime_dir(str(path))


def test_a_symlink_is_refused(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir(mode=0o700)
    (tmp_path / "gf").symlink_to(tmp_path / "real")
    with pytest.raises(UnsafeDirectory, match="symbolic link"):
        secure_runtime_dir(str(tmp_path / "gf"))


@pytest.mark.skipif(os.getuid() != 0, reason="changing a directory's owner needs root")
def test_a_directory_of_another_user_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gf"
    path.mkdir(mode=0o700)
    os.chown(path, 65534, 65534)
    with pytest.raises(UnsafeDirectory, match="owned by uid 65534"):
        secure_runtime_dir(str(path))


def test_daemon_settings_from_initialization_options() -> None:
    def init(options: object) -> dict[str, object]:
        return {"params": {"initializationOptions": options}}

    assert daemon_settings(None) == (True, 10.0)
    assert daemon_settings(init({"daemon": {"enable": False}})) == (False, 10.0)
    assert daemon_settings(init({"ghostfill": {"daemon": {"idleTimeoutMinutes": 2}}})) == (
        True,
        2.0,
    )
    assert daemon_settings(init({"daemon": {"idleTimeoutMinutes": "x"}})) == (True, 10.0)
    assert daemon_settings(init("garbage")) == (True, 10.0)
