"""Repositories against real SQLite and PostgreSQL databases (``db_url``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from tactful.store.models import (
    Customer,
    Handoff,
    HandoffMessage,
    LinkCode,
    OfferEventRow,
    Order,
    OrderLine,
)
from tactful.store.unit_of_work import uow_for

NOW = datetime(2026, 3, 14, 12, 0, 0)


def _seed_orders(url: str) -> None:
    with uow_for(url) as uow:
        uow.session.add_all(
            [
                Customer(id="A1", name="Ann", created_at=NOW),
                Customer(id="B2", name="Ben", created_at=NOW),
            ]
        )
        uow.session.flush()
        for order_id, customer, days in (("O-A-1", "A1", 10), ("O-A-2", "A1", 2), ("O-B-1", "B2", 1)):
            uow.session.add(
                Order(
                    id=order_id,
                    customer_id=customer,
                    status="delivered",
                    placed_at=NOW - timedelta(days=days),
                    source="test",
                    lines=[
                        OrderLine(
                            line_key="X:1", sku="X", description="x", quantity=2, unit_price=Decimal("3.50")
                        )
                    ],
                )
            )
        uow.commit()


def test_order_lookup_is_scoped_to_the_customer(db_url: str) -> None:
    _seed_orders(db_url)
    with uow_for(db_url) as uow:
        assert uow.orders.get_for_customer("O-A-1", "A1") is not None
        # Guessing another customer's order number yields nothing at all.
        assert uow.orders.get_for_customer("O-B-1", "A1") is None
        assert uow.orders.get_for_customer("O-A-1", "B2") is None
        assert uow.orders.get_for_customer("O-A-1", "") is None
        recent = uow.orders.recent_for_customer("A1")
        assert [o.id for o in recent] == ["O-A-2", "O-A-1"]
        assert all(o.customer_id == "A1" for o in recent)
        assert [o.id for o in uow.orders.recent_for_customer("B2")] == ["O-B-1"]
        purchases = uow.orders.purchases_for_customer("A1", since=NOW - timedelta(days=5))
        assert [(p[0], p[2], p[3]) for p in purchases] == [("X", "delivered", 2)]
        assert uow.orders.get_for_customer("O-A-1", "A1").lines[0].unit_price == Decimal("3.50")


def test_carts(db_url: str) -> None:
    with uow_for(db_url) as uow:
        uow.session.add(Customer(id="A1", created_at=NOW))
        uow.commit()
    with uow_for(db_url) as uow:
        from tactful.store.models import Product

        uow.session.add_all([Product(sku="P1", name="one"), Product(sku="P2", name="two")])
        cart = uow.carts.get_or_create_for_customer("A1", NOW)
        uow.carts.set_quantity(cart, "P1", 2, NOW)
        uow.carts.set_quantity(cart, "P2", 1, NOW)
        uow.commit()
    with uow_for(db_url) as uow:
        cart = uow.carts.for_customer("A1")
        assert cart is not None and cart.id == "cart-A1"
        assert uow.carts.get_or_create_for_customer("A1", NOW).id == cart.id
        assert {(i.sku, i.quantity) for i in cart.items} == {("P1", 2), ("P2", 1)}
        uow.carts.set_quantity(cart, "P1", 5, NOW + timedelta(minutes=1))
        uow.carts.set_quantity(cart, "P2", 0, NOW + timedelta(minutes=1))
        uow.commit()
    with uow_for(db_url) as uow:
        cart = uow.carts.get("cart-A1")
        assert cart is not None
        assert [(i.sku, i.quantity) for i in cart.items] == [("P1", 5)]
        assert cart.updated_at == NOW + timedelta(minutes=1)
        assert uow.carts.for_customer("nobody") is None


def _event(kind: str, minutes: int, **extra: object) -> OfferEventRow:
    values: dict[str, object] = {"customer_id": "A1", "kind": kind, "at": NOW + timedelta(minutes=minutes)}
    values.update(extra)
    return OfferEventRow(**values)


def test_offer_events(db_url: str) -> None:
    with uow_for(db_url) as uow:
        uow.session.add(Customer(id="A1", created_at=NOW))
        uow.session.flush()
        uow.offer_events.add(_event("decision", 0, conversation_id="c1", reasons=["gate:first_turn"]))
        uow.offer_events.add_all(
            [
                _event("impression", 1, offer_id="sd", variant_id="a", conversation_id="c1"),
                _event("accepted", 2, offer_id="sd", variant_id="a", conversation_id="c1"),
                _event("impression", 3, offer_id="sd", variant_id="b", conversation_id="c2"),
                _event("declined", 4, offer_id="sd", variant_id="b", conversation_id="c2"),
                _event("declined", 5, offer_id="sd", variant_id="b", conversation_id="c3"),
                _event("opted_out", 6),
                _event("impression", -60 * 24 * 40, offer_id="old", variant_id="a"),
            ]
        )
        uow.commit()
    with uow_for(db_url) as uow:
        recent = uow.offer_events.for_customer("A1", since=NOW - timedelta(days=30))
        # Decisions are log lines, not history: caps never read them.
        assert [e.kind for e in recent] == [
            "impression",
            "accepted",
            "impression",
            "declined",
            "declined",
            "opted_out",
        ]
        assert uow.offer_events.latest_consent("A1") == "opted_out"
        assert uow.offer_events.latest_consent("nobody") is None
        assert [e.kind for e in uow.offer_events.in_conversation("c2")] == ["impression", "declined"]
        assert sorted(uow.offer_events.arm_counts()) == [
            ("sd", "a", "accepted", 1),
            ("sd", "b", "declined", 2),
        ]
        uow.offer_events.add(_event("opted_in", 7))
        uow.commit()
    with uow_for(db_url) as uow:
        assert uow.offer_events.latest_consent("A1") == "opted_in"


def test_identities_and_link_codes(db_url: str) -> None:
    with uow_for(db_url) as uow:
        uow.session.add_all([Customer(id="A1", created_at=NOW), Customer(id="B2", created_at=NOW)])
        uow.commit()
    with uow_for(db_url) as uow:
        assert uow.identities.customer_for("telegram", "42") is None
        uow.identities.link("telegram", "42", "A1", NOW)
        uow.commit()
    with uow_for(db_url) as uow:
        assert uow.identities.customer_for("telegram", "42") == "A1"
        assert uow.identities.customer_for("slack", "42") is None
        uow.identities.link("telegram", "42", "B2", NOW + timedelta(hours=1))
        uow.identities.save_code(
            LinkCode(
                channel="slack",
                external_id="U1",
                customer_id="A1",
                code_hash="h",
                attempts=0,
                expires_at=NOW + timedelta(minutes=10),
            )
        )
        uow.commit()
    with uow_for(db_url) as uow:
        assert uow.identities.customer_for("telegram", "42") == "B2"
        code = uow.identities.pending_code("slack", "U1")
        assert code is not None and code.customer_id == "A1" and code.code_hash == "h"
        uow.identities.save_code(
            LinkCode(
                channel="slack",
                external_id="U1",
                customer_id="A1",
                code_hash="h2",
                attempts=1,
                expires_at=NOW + timedelta(minutes=10),
            )
        )
        uow.commit()
    with uow_for(db_url) as uow:
        code = uow.identities.pending_code("slack", "U1")
        assert code is not None and (code.code_hash, code.attempts) == ("h2", 1)
        uow.identities.drop_code("slack", "U1")
        uow.identities.drop_code("slack", "never-existed")
        uow.commit()
    with uow_for(db_url) as uow:
        assert uow.identities.pending_code("slack", "U1") is None


def test_handoffs(db_url: str) -> None:
    with uow_for(db_url) as uow:
        first = uow.handoffs.add(
            Handoff(
                conversation_id="conv-1",
                channel="web",
                customer_id="A1",
                status="pending",
                reason="asked_for_human",
                summary={"topic": "late delivery", "do_not_pitch": True},
                created_at=NOW,
            )
        )
        uow.handoffs.add(
            Handoff(
                conversation_id="conv-2", reason="frustration", summary={}, status="closed", created_at=NOW
            )
        )
        uow.handoffs.add_message(
            HandoffMessage(handoff_id=first.id, direction="customer", text="hello?", created_at=NOW)
        )
        uow.handoffs.add_message(
            HandoffMessage(
                handoff_id=first.id, direction="customer", text="old", delivered=True, created_at=NOW
            )
        )
        uow.commit()
        first_id = first.id
    with uow_for(db_url) as uow:
        active = uow.handoffs.active_for_conversation("conv-1")
        assert active is not None and active.id == first_id
        assert active.summary == {"topic": "late delivery", "do_not_pitch": True}
        assert uow.handoffs.active_for_conversation("conv-2") is None
        # Any handoff of a conversation, even a closed one, keeps offers out of it.
        uow.session.add(Customer(id="H1", created_at=NOW))
        uow.session.flush()
        facts, _ = uow.offer_history.lock_and_read("H1", "conv-2", NOW)
        assert facts is not None and facts.handed_off
        facts, _ = uow.offer_history.lock_and_read("H1", "conv-3", NOW)
        assert facts is not None and not facts.handed_off
        assert [m.text for m in uow.handoffs.undelivered_messages(first_id)] == ["hello?"]


def test_products_offerable_and_search(demo_db_url: str) -> None:
    with uow_for(demo_db_url) as uow:
        from tactful.store.models import Product

        uow.session.add(Product(sku="POST", name="POSTAGE", offerable=False))
        uow.commit()
    with uow_for(demo_db_url) as uow:
        assert "POST" not in {p.sku for p in uow.products.offerable()}
        assert uow.products.get("POST") is not None
        assert [p.sku for p in uow.products.find_by_name("postage")] == []
        assert [p.sku for p in uow.products.find_by_name("tripod")] == ["TRIPOD-T1"]
        assert [p.sku for p in uow.products.find_by_name("hub-c")] == ["HUB-C"]
        assert ("SD-64", "CAM-X100") in uow.products.compatibility_pairs()


def test_uncommitted_work_is_rolled_back(db_url: str) -> None:
    with uow_for(db_url) as uow:
        uow.session.add(Customer(id="GHOST", created_at=NOW))
        uow.session.flush()
    with uow_for(db_url) as uow:
        assert uow.customers.get("GHOST") is None
        assert uow.customers.lock_for_offer("GHOST") is False
