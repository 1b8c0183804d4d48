"""A progress bar on stderr, only where a person is watching."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress(label: str, total: int, quiet: bool) -> Iterator[Callable[[], None]]:
    """Yield a ``tick()`` that advances the bar by one row.

    Disabled under --quiet and when stderr is not a terminal, so logs and
    CI output stay free of carriage-return noise.
    """
    disabled = quiet or not sys.stderr.isatty()
    bar = tqdm(total=total, desc=label, unit="rows", file=sys.stderr, disable=disabled, leave=False)
    try:
        yield bar.update if not disabled else _noop
    finally:
        bar.close()


def _noop() -> None:
    return None
