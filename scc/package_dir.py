"""The package directory (--out): what scc may replace, and replacing it so that nothing is ever lost.

scc replaces a directory only when it is absent, empty, or a package scc wrote: its manifest.json
(generator "scc ...") lists exactly the files present, each with the size and sha256 it still has.
Anything else is refused with the file that is in the way named; no option deletes user files.
The current directory, a directory that holds it, and any directory holding an input are refused
before anything is rendered.

Replacing runs under an exclusive lock on ``.NAME.lock`` beside the target, so two runs to one
--out take turns. Files are written into ``.NAME.staging.<hex>`` (marked by ``.scc-staging`` until
complete), then swapped with the target in one step, renameat2(RENAME_EXCHANGE), where the kernel
and file system offer it; elsewhere by two renames through ``.NAME.previous``. A run killed at any
point leaves the old package or the new one in place, or the old one parked as ``.NAME.previous``,
which the next run (under the lock) puts back; leftover staging directories are removed then.
"""
from __future__ import annotations

import ctypes
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from scc.errors import OutputError

MANIFEST = "manifest.json"
STAGING_MARKER = ".scc-staging"
_MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_REFUSAL = "scc replaces only an empty directory or a package it wrote; move it away or choose another --out"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_UNSUPPORTED = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP until the block is done (a swap is never cut between two renames)."""
    block = getattr(signal, "pthread_sigmask", None)
    if block is None:
        yield
        return
    deferred = {signal.SIGINT, *(getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n))}
    previous = block(signal.SIG_BLOCK, deferred)
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, previous)


# -- what a directory is -----------------------------------------------------------------------------
def scc_document(path: Path) -> dict[str, Any] | None:
    """The JSON object at ``path`` when scc wrote it (a regular file, not a link, under the size cap, whose
    ``generator`` is scc's), else None."""
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size > _MAX_MANIFEST_BYTES:
            return None
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or not str(document.get("generator", "")).startswith("scc "):
        return None
    return document


def scc_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest.json scc wrote in ``directory`` (flat output names), else None."""
    document = scc_document(directory / MANIFEST)
    if document is None:
        return None
    outputs = document.get("outputs")
    if not isinstance(outputs, list) or not all(_is_output_entry(o) for o in outputs):
        return None
    return document


def _is_output_entry(entry: object) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("path"), str)
            and entry["path"] not in ("", ".", "..", MANIFEST) and "/" not in entry["path"]
            and "\\" not in entry["path"] and isinstance(entry.get("sha256"), str)
            and isinstance(entry.get("size"), int))


def scc_written_names(directory: Path) -> frozenset[str]:
    """manifest.json and every output it lists, when ``directory`` holds a manifest scc wrote."""
    document = scc_manifest(directory)
    if document is None:
        return frozenset()
    return frozenset({MANIFEST, *(o["path"] for o in document["outputs"])})


def package_problem(directory: Path) -> str | None:
    """None when ``directory`` is exactly a package scc wrote, else which file says otherwise."""
    names = sorted(os.listdir(directory))
    document = scc_manifest(directory)
    if document is None:
        first = directory / (MANIFEST if MANIFEST in names or not names else names[0])
        return f"{first}: in the way ({directory} holds no manifest.json that scc wrote)"
    listed = {o["path"]: o for o in document["outputs"]}
    for name in names:
        path = directory / name
        if name != MANIFEST and (name not in listed or path.is_symlink() or not path.is_file()):
            return f"{path}: in the way (not a file of the package scc wrote in {directory})"
    for name, entry in sorted(listed.items()):
        path = directory / name
        if name not in names:
            return f"{path}: listed in {directory / MANIFEST} but missing"
        if path.stat().st_size != entry["size"] or _sha256(path) != entry["sha256"]:
            return f"{path}: changed since scc wrote it (size or sha256 differs from {MANIFEST})"
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _looks_like_ours(directory: Path) -> bool:
    """A leftover scc may delete: a directory of ours that is empty, marked as staging, or a package."""
    try:
        if directory.is_symlink() or not directory.is_dir() or directory.stat().st_uid != os.getuid():
            return False
        return (not os.listdir(directory) or (directory / STAGING_MARKER).is_file()
                or package_problem(directory) is None)
    except OSError:
        return False


# -- the checks before anything is rendered -----------------------------------------------------------
def package_target(out_dir: str | os.PathLike[str]) -> Path:
    """The absolute target path: parents resolved, the last component kept as given (not followed)."""
    absolute = Path(os.path.abspath(out_dir))
    return absolute.parent.resolve() / absolute.name if absolute.name else absolute


def ensure_outside_inputs(out_dir: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse an --out that is the current directory, holds it, or holds (or is) any input."""
    target = package_target(out_dir).resolve()
    if target == target.parent or Path.cwd().resolve().is_relative_to(target):
        raise OutputError(f"{out_dir}: is the current directory or holds it; give --out a directory of "
                          "its own, e.g. --out ato")
    for item in inputs:
        if Path(item).resolve().is_relative_to(target):
            raise OutputError(f"{item}: is an input inside --out {out_dir}, which scc would replace; "
                              "choose another --out")


def ensure_replaceable(target: Path) -> None:
    """Refuse (OutputError naming the file in the way) a target that is not absent, empty or scc's."""
    if not os.path.lexists(target):
        return
    if target.is_symlink() or not target.is_dir():
        raise OutputError(f"{target}: in the way (not a directory); {_REFUSAL}")
    problem = package_problem(target) if os.listdir(target) else None
    if problem:
        raise OutputError(f"{problem}; {_REFUSAL}")


def _replaceable(target: Path) -> bool:
    try:
        ensure_replaceable(target)
    except OutputError:
        return False
    return True


def check_out_dir(out_dir: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Everything that can be refused before rendering: inputs inside --out, files in the way.

    A package a killed run left parked as ``.NAME.previous`` is put back first.
    """
    ensure_outside_inputs(out_dir, inputs)
    target = package_target(out_dir)
    try:
        if not target.parent.is_dir():
            return  # nothing there yet: writing will create it (or say why it cannot)
        with _locked(target):
            _recover(target)
            ensure_replaceable(target)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write the package: {exc.strerror or exc}") from exc


# -- replacing ------------------------------------------------------------------------------------------
def replace_package_dir(out_dir: str | os.PathLike[str], files: Mapping[str, bytes]) -> Path:
    """Write ``files`` as the whole content of ``out_dir``, replacing what scc may replace, atomically."""
    with staged_package(out_dir) as staging:
        for name, data in files.items():
            staging.write(name, data)
    return Path(out_dir)


class Staging:
    """The staging directory of one package being written (see :func:`staged_package`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, name: str, data: bytes) -> None:
        """One file of the package (a flat name), mode 0666 less the umask."""
        (self.path / name).write_bytes(data)


@contextmanager
def staged_package(out_dir: str | os.PathLike[str]) -> Iterator[Staging]:
    """A staging directory beside ``out_dir`` to write the package into file by file (each as soon as it is
    ready, so no caller holds every file at once); when the block ends normally it replaces ``out_dir`` in
    one step, and when it raises (or a termination signal arrives) it is removed and ``out_dir`` is left as
    it was. The lock on ``out_dir`` is held throughout, so two runs to one --out take turns."""
    from scc.interrupts import signals_as_exceptions

    target = package_target(out_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    with signals_as_exceptions(), _locked(target):   # SIGTERM/SIGHUP still remove the staging dir
        _recover(target)
        ensure_replaceable(target)
        with signals_deferred():
            staging = _new_staging(target)
        leftover: Path | None = staging
        try:
            yield Staging(staging)
            (staging / STAGING_MARKER).unlink()
            with signals_deferred():
                leftover = _swap(staging, target)
        finally:
            if leftover is not None:
                with signals_deferred():
                    _discard(leftover)


def _discard(directory: Path) -> None:
    """Remove a directory of ours so that, cut short even by SIGKILL, it still looks like ours.

    The staging marker goes in first and out last: a half-removed directory keeps it (or is empty).
    """
    try:
        (directory / STAGING_MARKER).touch()
        for entry in os.scandir(directory):
            if entry.name == STAGING_MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        (directory / STAGING_MARKER).unlink()
        directory.rmdir()
    except OSError:
        pass   # what is left is still marked as ours: the next run removes it


def _new_staging(target: Path) -> Path:
    while True:
        staging = target.with_name(f".{target.name}.staging.{secrets.token_hex(8)}")
        try:
            staging.mkdir(mode=0o777)   # the umask decides the final mode (mkdtemp would force 0700)
        except FileExistsError:
            continue
        (staging / STAGING_MARKER).write_bytes(b"")
        return staging


def _swap(staging: Path, target: Path) -> Path | None:
    """Put ``staging`` at ``target``; returns the directory now holding the old content, to remove."""
    if not os.path.lexists(target):
        os.rename(staging, target)
        return None
    if _exchange(staging, target):
        return staging
    previous = _previous(target)
    if os.path.lexists(previous):
        raise OutputError(f"{previous}: in the way (not a directory scc left behind); move it away")
    os.replace(target, previous)
    os.replace(staging, target)
    return previous


def _previous(target: Path) -> Path:
    return target.with_name(f".{target.name}.previous")


@lru_cache(maxsize=1)
def _renameat2() -> Any:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    function = _renameat2()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(second))


def _recover(target: Path) -> None:
    """Undo what a killed run left: put a parked package back, remove stale staging/previous dirs."""
    previous = _previous(target)
    with signals_deferred():
        if _looks_like_ours(previous):
            if not os.path.lexists(target) and package_problem(previous) is None:
                os.rename(previous, target)
            elif _replaceable(target):
                _discard(previous)   # the swap finished; only removing the old package was cut short
        pattern = re.compile(re.escape(f".{target.name}.staging.") + "[0-9a-f]{16}")
        for entry in os.scandir(target.parent):
            if pattern.fullmatch(entry.name) and _looks_like_ours(Path(entry.path)):
                _discard(Path(entry.path))


@contextmanager
def _locked(target: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``.NAME.lock`` beside the target; the file goes when released."""
    try:
        import fcntl
    except ImportError:   # not a POSIX system: no lock to take
        yield
        return
    lock_path = target.with_name(f".{target.name}.lock")
    while True:
        handle = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            if _same_file(handle, lock_path):
                break
        except BaseException:
            os.close(handle)
            raise
        os.close(handle)   # the holder before us removed the file: lock the new one
    try:
        yield
    finally:
        with signals_deferred():
            Path(lock_path).unlink(missing_ok=True)
            os.close(handle)


def _same_file(handle: int, path: Path) -> bool:
    try:
        mine, named = os.fstat(handle), os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (mine.st_dev, mine.st_ino) == (named.st_dev, named.st_ino)
