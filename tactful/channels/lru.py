"""A least-recently-used map bounded by the total weight of what it holds.

Each Rasa process keeps a few things between messages (owners, sessions,
dialogue states); each is bounded by what it costs in memory, not by how
many conversations it covers. Taken from the event loop and the tracker
store's worker threads alike: the lock guards dictionary moves only, never I/O.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedLRU(Generic[K, V]):
    def __init__(self, capacity: int, weight: Callable[[V], int] = lambda _value: 1) -> None:
        self._capacity = capacity
        self._weight = weight
        # Each value with its weight when it was put, so taking it out subtracts the same.
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def pop(self, key: K) -> V | None:
        with self._lock:
            entry = self._entries.pop(key, None)
            if entry is None:
                return None
            self._total -= entry[1]
            return entry[0]

    def put(self, key: K, value: V) -> None:
        """Keeps ``value`` as the most recent; the least recent go while over capacity.

        A value heavier than the whole capacity is not kept (nor the key's old value)."""
        weight = self._weight(value)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._total -= old[1]
            if weight > self._capacity:
                return  # keeping it would push out everything else, and then itself
            self._entries[key] = (value, weight)
            self._total += weight
            while self._total > self._capacity and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._total -= dropped
