"""SafeSQLTrackerStore on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from tactful.channels.tracker_store import SafeSQLTrackerStore, TrackerStoreError, connection_kwargs
from tactful.identity import IDENTITY_KEY, VerifiedIdentity, identity_to_metadata

REPO_ROOT = Path(__file__).resolve().parents[2]

BAD_SENDERS = [
    pytest.param("\ud800", id="lone-surrogate"),
    pytest.param("rest:a\udfffb", id="surrogate-inside"),
    pytest.param("a\x00b", id="nul"),
    pytest.param("rest:" + "a" * 300, id="too-long"),
    pytest.param("a" * 201, id="201-chars"),
    pytest.param("rest:a/b", id="slash"),
    pytest.param("../../etc/passwd", id="path"),
    pytest.param("rest:a b", id="space"),
    pytest.param("", id="empty"),
]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(REPO_ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path, domain: Domain) -> Iterator[SafeSQLTrackerStore]:
    if request.param == "sqlite":
        db = str(tmp_path / "tracker.db")
    else:
        db = str(request.getfixturevalue("pg_empty_url"))
        assert db.startswith("postgresql://")
    tracker_store = SafeSQLTrackerStore(db=db, domain=domain)
    try:
        yield tracker_store
    finally:
        tracker_store.engine.dispose()


def _tracker(sender_id: str, domain: Domain, *events: object) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender_id, list(events), domain.slots)


def _said(text: str, intent: str = "greet", **kwargs: object) -> UserUttered:
    return UserUttered(text, intent={"name": intent, "confidence": 1.0}, **kwargs)  # type: ignore[arg-type]


def test_save_and_retrieve(store: SafeSQLTrackerStore, domain: Domain) -> None:
    identity = VerifiedIdentity("C001", "K1", 1_900_000_000)
    tracker = _tracker(
        "rest:alice",
        domain,
        _said("hello", metadata=identity_to_metadata(identity)),
        ActionExecuted("utter_greet"),
    )
    asyncio.run(store.save(tracker))

    latest = asyncio.run(store.retrieve("rest:alice"))
    assert latest is not None
    assert latest.sender_id == "rest:alice"
    assert latest.latest_message is not None
    assert latest.latest_message.text == "hello"
    assert latest.latest_message.intent["name"] == "greet"
    assert latest.latest_message.metadata[IDENTITY_KEY]["customer_id"] == "C001"
    assert latest.latest_action_name == "utter_greet"

    full = asyncio.run(store.retrieve_full_tracker("rest:alice"))
    assert full is not None
    assert [event.as_dict() for event in full.events] == [event.as_dict() for event in tracker.events]

    assert asyncio.run(store.retrieve("rest:nobody")) is None
    assert asyncio.run(store.retrieve_full_tracker("rest:nobody")) is None


def test_saving_again_appends_only_new_events(store: SafeSQLTrackerStore, domain: Domain) -> None:
    tracker = _tracker("rest:bob", domain, _said("one"))
    asyncio.run(store.save(tracker))
    tracker.update(_said("two"))
    asyncio.run(store.save(tracker))
    again = asyncio.run(store.retrieve_full_tracker("rest:bob"))
    assert again is not None
    assert [event.text for event in again.events if isinstance(event, UserUttered)] == ["one", "two"]


def test_bare_ids_from_rasa_tools_are_allowed(store: SafeSQLTrackerStore, domain: Domain) -> None:
    asyncio.run(store.save(_tracker("default", domain, _said("hi"))))
    assert asyncio.run(store.retrieve("default")) is not None


def _still_works(store: SafeSQLTrackerStore, domain: Domain) -> None:
    asyncio.run(store.save(_tracker("rest:after", domain, _said("still here"))))
    tracker = asyncio.run(store.retrieve("rest:after"))
    assert tracker is not None and tracker.latest_message is not None
    assert tracker.latest_message.text == "still here"


@pytest.mark.parametrize("sender_id", BAD_SENDERS)
def test_bad_sender_ids_raise_tracker_store_error(
    store: SafeSQLTrackerStore, domain: Domain, sender_id: str
) -> None:
    # pytest.raises(TrackerStoreError) lets a SystemExit through: it would fail the test.
    with pytest.raises(TrackerStoreError, match="safe alphabet"):
        asyncio.run(store.retrieve(sender_id))
    with pytest.raises(TrackerStoreError, match="safe alphabet"):
        asyncio.run(store.retrieve_full_tracker(sender_id))
    with pytest.raises(TrackerStoreError, match="safe alphabet"):
        asyncio.run(store.save(_tracker(sender_id, domain, _said("hi"))))
    assert list(asyncio.run(store.keys())) == []
    _still_works(store, domain)


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b", "\udfff", "nul \x00 and \ud83d lone"])
def test_event_text_with_nul_or_lone_surrogate_round_trips(
    store: SafeSQLTrackerStore, domain: Domain, text: str
) -> None:
    asyncio.run(store.save(_tracker("rest:odd", domain, _said(text))))
    tracker = asyncio.run(store.retrieve("rest:odd"))
    assert tracker is not None and tracker.latest_message is not None
    assert tracker.latest_message.text == text
    _still_works(store, domain)


def test_a_value_the_driver_cannot_store_fails_the_message_not_the_process(
    store: SafeSQLTrackerStore, domain: Domain
) -> None:
    # The intent name goes into its own column unescaped; a lone surrogate cannot
    # be encoded by either driver (UnicodeEncodeError, a ValueError).
    tracker = _tracker("rest:carol", domain, _said("hi", intent="greet\ud800"))
    with pytest.raises(TrackerStoreError, match="UnicodeEncodeError") as raised:
        asyncio.run(store.save(tracker))
    assert isinstance(raised.value.__cause__, ValueError)
    assert asyncio.run(store.retrieve("rest:carol")) is None  # nothing half-written
    _still_works(store, domain)


def test_nul_in_a_column_on_postgresql_is_a_tracker_store_error(pg_empty_url: str, domain: Domain) -> None:
    store = SafeSQLTrackerStore(db=pg_empty_url, domain=domain)
    try:
        tracker = _tracker("rest:dave", domain, _said("hi"), ActionExecuted("utter_\x00greet"))
        with pytest.raises(TrackerStoreError, match="ValueError"):
            asyncio.run(store.save(tracker))
        assert asyncio.run(store.retrieve("rest:dave")) is None
        _still_works(store, domain)
    finally:
        store.engine.dispose()


def test_sqlite_url_form(tmp_path: Path, domain: Domain) -> None:
    path = tmp_path / "url.db"
    store = SafeSQLTrackerStore(db=f"sqlite:///{path}", domain=domain)
    try:
        asyncio.run(store.save(_tracker("rest:erin", domain, _said("hi"))))
        assert asyncio.run(store.retrieve("rest:erin")) is not None
        assert path.is_file()
    finally:
        store.engine.dispose()


def test_endpoint_config_builds_the_safe_store(tmp_path: Path, domain: Domain) -> None:
    config = EndpointConfig(
        type="tactful.channels.tracker_store.SafeSQLTrackerStore", db=str(tmp_path / "ep.db")
    )
    store = TrackerStore.create(config, domain)
    assert isinstance(store, SafeSQLTrackerStore)
    try:
        with pytest.raises(TrackerStoreError):
            asyncio.run(store.retrieve("a/b"))
    finally:
        store.engine.dispose()


def test_connection_kwargs() -> None:
    assert connection_kwargs("var/tracker.db") == {"dialect": "sqlite", "db": "var/tracker.db"}
    assert connection_kwargs("postgresql://tracker:p%40ss@db.internal:5433/tracker?sslmode=require") == {
        "dialect": "postgresql",
        "host": "db.internal",
        "port": 5433,
        "db": "tracker",
        "username": "tracker",
        "password": "p@ss",
        "query": {"sslmode": "require"},
    }
    assert connection_kwargs("postgresql://u@h/d")["query"] is None


def test_tracker_store_error_is_not_a_system_exit() -> None:
    assert issubclass(TrackerStoreError, Exception)
    assert not issubclass(TrackerStoreError, SystemExit)
