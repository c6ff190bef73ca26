"""Fixtures shared by every test directory."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest


@pytest.fixture
def settled() -> Callable[[Iterable[Path]], None]:
    """Date files two hours back, as files written long before a run are: their stat, not
    only their content, is then what a cache records (a file written within two seconds
    of a run is stamped by its content alone)."""

    def backdate(paths: Iterable[Path]) -> None:
        for path in paths:
            old = time.time() - 7200
            os.utime(path, (old, old))

    return backdate


@pytest.fixture
def checkout_again() -> Callable[[Iterable[Path]], None]:
    """Rewrite files as a fresh CI checkout does: the same bytes under a new inode, with
    the mtime of a checkout made a minute before the run. A cache restored into such a
    checkout must still hold."""

    def rewrite(paths: Iterable[Path]) -> None:
        for path in paths:
            before = path.stat()
            copy = path.with_name(path.name + ".checkout")
            shutil.copyfile(path, copy)
            later = time.time() - 60
            os.utime(copy, (later, later))
            os.replace(copy, path)
            after = path.stat()
            assert (after.st_ino, after.st_mtime_ns) != (before.st_ino, before.st_mtime_ns)

    return rewrite
