"""Fixtures shared by every test directory."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest


@pytest.fixture
def checkout_again() -> Callable[[Iterable[Path]], None]:
    """Rewrite files as a fresh CI checkout does: the same bytes under a new inode, with
    an mtime an hour later. A cache restored into such a checkout must still hold."""

    def rewrite(paths: Iterable[Path]) -> None:
        for path in paths:
            before = path.stat()
            copy = path.with_name(path.name + ".checkout")
            shutil.copyfile(path, copy)
            later = before.st_mtime + 3600
            os.utime(copy, (later, later))
            os.replace(copy, path)
            after = path.stat()
            assert (after.st_ino, after.st_mtime_ns) != (before.st_ino, before.st_mtime_ns)

    return rewrite
