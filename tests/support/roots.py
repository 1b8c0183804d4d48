"""Composition roots for tests: each test builds its own from its own settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from tactful import bootstrap
from tactful.bootstrap import Root
from tactful.settings import load_settings


@contextmanager
def fresh_root() -> Iterator[Root]:
    """A root built from the current (test) environment, installed for the block."""
    with bootstrap.installed(Root(load_settings())) as root:
        yield root


def rebuild_root() -> Root:
    """Replace the installed root after a test changed the environment mid-way.

    Inside ``fresh_root`` the previous root comes back when the block ends.
    """
    root = Root(load_settings())
    bootstrap.install(root)
    return root
