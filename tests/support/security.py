"""Helpers for tests/security: counted raw HTTP probes, a counted socket.io widget
client, the processes behind a running assistant, and shop reads.

Every request a security test sends goes through ``request`` or ``Widget`` so
the run can report how many probes and fuzz cases it made (``PROBES``).
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import signal
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import socketio
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from tactful.services.support import sentence_name
from tactful.store.models import Cart, CartItem, Order, OrderLine, Product
from tactful.store.unit_of_work import uow_for
from tests.support import http as http_support

REST_PATH = "/webhooks/rest/webhook"
# Kinds: "http" (requests), "socketio" (events emitted), "fuzz_case" (hypothesis examples).
PROBES: Counter[str] = Counter()


def record(kind: str, count: int = 1) -> None:
    PROBES[kind] += count


# -- HTTP ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def encode(body: Any) -> bytes:
    """Bytes as given; anything else as JSON (lone surrogates become \\udXXX escapes)."""
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def request(
    base_url: str,
    method: str,
    path: str,
    body: Any = b"",
    headers: dict[str, str] | None = None,
    timeout: float = 60,
    kind: str = "http",
) -> Reply:
    """Send exactly ``method path`` (no normalising of the path) to a local server.

    ``kind`` names what the request is counted as ("http" probes, "health" checks)."""
    parts = urllib.parse.urlsplit(base_url)
    assert parts.hostname == "127.0.0.1", "security probes only go to local servers"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        data = encode(body)
        try:
            connection.request(
                method,
                path,
                body=data or None,
                headers={"Content-Type": "application/json", **(headers or {})},
            )
        except (BrokenPipeError, ConnectionResetError):
            # A server may answer a too-large body (413) and close before
            # reading all of it; its answer is still waiting in the socket.
            pass
        answer = connection.getresponse()
        record(kind)
        return Reply(answer.status, answer.read())
    finally:
        connection.close()


def post_json(
    url: str, body: Any, headers: dict[str, str] | None = None, timeout: float = 60
) -> tuple[int, Any]:
    """tests.support.http.post_json, counted."""
    record("http")
    return http_support.post_json(url, body, headers, timeout)


def rest(base_url: str, body: Any, path: str = REST_PATH, method: str = "POST") -> Reply:
    return request(base_url, method, path, body)


def rasa_answers(base_url: str) -> bool:
    """The Rasa server's health answer (GET /)."""
    try:
        reply = request(base_url, "GET", "/", timeout=10, kind="health")
    except OSError:
        return False
    return reply.status == 200 and b"Hello from Rasa" in reply.body


# -- processes ----------------------------------------------------------------------


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    suffix = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[1].endswith(suffix) and fields[3] == "0A":  # 0A: LISTEN
                inodes.add(fields[9])
    return inodes


def _children() -> list[int]:
    """Processes this test run started (direct children of this process)."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:
            found.append(int(entry))
    return found


def listening_child(port: int) -> int | None:
    """The pid of the child of this process that listens on ``port`` (None: none does)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for pid in _children():
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        if any(link[8:-1] in inodes for link in links if link.startswith("socket:[")):
            return pid
    return None


def is_running(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def port_of(url: str) -> int:
    port = urllib.parse.urlsplit(url).port
    assert port is not None
    return port


def kill_listener(url: str, timeout: float = 15) -> int:
    """Kill (SIGKILL) the process this run started that serves ``url``; return its pid."""
    port = port_of(url)
    pid = listening_child(port)
    assert pid is not None, f"no child process of this test run listens on port {port}"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (is_running(pid) or _listening_inodes(port)):
        time.sleep(0.1)
    assert not is_running(pid), f"process {pid} still running"
    return pid


# -- the tracker store ----------------------------------------------------------------


@contextmanager
def tracker_store_down(tracker_db: str) -> Iterator[None]:
    """Rasa's ``events`` table renamed away until the block ends: every read and write of
    the running tracker store fails (``tracker_db``: a SQLite path or a SQLAlchemy URL)."""
    engine = create_engine(
        tracker_db if "://" in tracker_db else f"sqlite:///{tracker_db}", poolclass=NullPool
    )
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE events RENAME TO events_unavailable"))
        try:
            yield
        finally:
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE events_unavailable RENAME TO events"))
    finally:
        engine.dispose()


# -- socket.io --------------------------------------------------------------------------


class Widget:
    """A rasa-webchat style socket.io client (long-polling), counting what it emits."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.replies: asyncio.Queue[Any] = asyncio.Queue()
        self.confirmed: asyncio.Queue[Any] = asyncio.Queue()
        self.session_id: Any = None
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.on("session_confirm", self._on_confirm)

    async def _on_confirm(self, data: Any) -> None:
        self.session_id = data
        await self.confirmed.put(data)

    async def open(self, *session_request: Any, wait: float = 10) -> Any:
        """Connect and emit session_request with ``session_request`` as its arguments;
        return the confirmed session id."""
        await self.sio.connect(self.url, socketio_path="/socket.io/", transports=["polling"])
        await self.emit("session_request", *session_request)
        return await asyncio.wait_for(self.confirmed.get(), wait)

    async def close(self) -> None:
        await self.sio.disconnect()

    async def emit(self, event: str, *args: Any) -> None:
        """Emit ``event`` with exactly ``args`` as its arguments (none, or a JSON null, alike)."""
        record("socketio")
        # python-socketio spreads a tuple into the event's arguments.
        await self.sio.emit(event, tuple(args))

    async def send(self, *args: Any) -> None:
        await self.emit("user_uttered", *args)

    async def say(self, text: Any, custom_data: Any = None, **extra: Any) -> list[Any]:
        body = {"message": text, "session_id": self.session_id, **extra}
        if custom_data is not None:
            body["customData"] = custom_data
        await self.send(body)
        return await self.collect()

    async def collect(self, first_timeout: float = 30.0, quiet: float = 1.0) -> list[Any]:
        """Every reply until none arrives for ``quiet`` seconds ([] if none within ``first_timeout``)."""
        replies: list[Any] = []
        try:
            replies.append(await asyncio.wait_for(self.replies.get(), first_timeout))
            while True:
                replies.append(await asyncio.wait_for(self.replies.get(), quiet))
        except asyncio.TimeoutError:
            return replies

    async def collect_until(self, done: Callable[[Any], bool], timeout: float = 30.0) -> list[Any]:
        """Replies up to and including the first one ``done`` accepts; raises on timeout."""
        replies: list[Any] = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no expected reply within {timeout}s; got {replies}")
            reply = await asyncio.wait_for(self.replies.get(), left)
            replies.append(reply)
            if done(reply):
                return replies


def reply_texts(replies: list[Any]) -> str:
    return "\n".join(str(r.get("text", "")) if isinstance(r, dict) else str(r) for r in replies)


# -- shop reads ---------------------------------------------------------------------------


def cart_items(db_url: str, customer_id: str) -> list[tuple[str, int]]:
    with uow_for(db_url) as work:
        rows = work.session.execute(
            select(CartItem.sku, CartItem.quantity)
            .join(Cart, Cart.id == CartItem.cart_id)
            .where(Cart.customer_id == customer_id)
            .order_by(CartItem.sku)
        )
        return [(sku, quantity) for sku, quantity in rows]


def purchased_product_names(db_url: str, customer_id: str) -> list[str]:
    """Every name of what the customer bought: full names and the short ones sentences use."""
    with uow_for(db_url) as work:
        rows = work.session.execute(
            select(Product.name, Product.short_name)
            .join(OrderLine, OrderLine.sku == Product.sku)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.customer_id == customer_id)
            .distinct()
        ).all()
    return sorted({name for row in rows for name in (row.name, sentence_name(row.name, row.short_name))})


def product_name(db_url: str, sku: str) -> str:
    """The product's name as offers word it (its short name when it has one)."""
    with uow_for(db_url) as work:
        row = work.session.execute(
            select(Product.name, Product.short_name).where(Product.sku == sku)
        ).one_or_none()
    assert row, f"no product {sku}"
    return sentence_name(row.name, row.short_name)
