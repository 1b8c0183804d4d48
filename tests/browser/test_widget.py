"""A visitor chats through the rasa-webchat widget in a real headless Chromium.

Alice (C001) asks for her order status, gets one offer with two buttons,
clicks "No thanks", gets a short decline line, and no further offer comes.
The Node driver (widget_flow.mjs) saves test-artifacts/widget.png.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from tactful.services.support import cart_for
from tactful.store.unit_of_work import uow_for
from tests.browser import driver
from tests.browser.conftest import WidgetStack
from tests.browser.driver import ARTIFACTS, require_browser_tools
from tests.support.shop import offer_events

pytestmark = pytest.mark.browser

DRIVER = Path(__file__).with_name("widget_flow.mjs")
SCREENSHOT = ARTIFACTS / "widget.png"


def run_driver(node: str, page_url: str) -> dict[str, Any]:
    return driver.run_driver(
        node, DRIVER, page_url, SCREENSHOT, "widget-result.json", {"CUSTOMER_ID": "C001"}
    )


def logs(stack: WidgetStack) -> str:
    parts = []
    for path in (
        stack.assistant.workdir / "rasa.log",
        stack.assistant.workdir / "actions.log",
        stack.web.log,
    ):
        if path.exists():
            parts.append(f"--- {path.name}\n{path.read_text()[-2500:]}")
    return "\n".join(parts)


def test_order_status_offer_decline_and_no_further_offer(widget_stack: WidgetStack) -> None:
    node = require_browser_tools()
    result = run_driver(node, widget_stack.web.url + "/")
    assert result["ok"], (
        f"{result.get('error')}\n{json.dumps(result['steps'], indent=1)}\n{logs(widget_stack)}"
    )

    # The page loaded the widget from its own backend and the browser talked
    # to nothing but the page and the Rasa server.
    assert result["steps"][0]["widget_script"] == widget_stack.web.url + "/static/rasa-webchat.js"
    assert result["external_requests"] == []
    rasa_origin = widget_stack.assistant.rasa_url
    assert set(result["socket_urls"]) <= {rasa_origin, rasa_origin.replace("http", "ws", 1)}
    assert result["console_errors"] == []
    picked = result["steps"][1]
    assert picked["status"] == "Shopping as Alice Archer."
    assert picked["cookie_visible_to_scripts"] is False

    # The order answer, then one offer with exactly two buttons.
    order_text = " ".join(message["text"] for message in result["order"])
    assert "Order D-C001" in order_text
    offer = result["offer"]
    assert len(offer["buttons"]) == 2
    assert offer["buttons"][1] == "No thanks"
    currency = requests.get(widget_stack.web.url + "/api/config", timeout=10).json()["currency"]
    assert re.search(re.escape(currency) + r"\d+\.\d\d", offer["text"]), offer["text"]

    # A short, friendly decline line, no buttons, and no "are you sure?".
    assert len(result["decline"]) == 1
    decline = result["decline"][0]
    assert decline["buttons"] == []
    assert "no problem" in decline["text"].lower()
    assert len(decline["text"]) <= 120
    assert "sure" not in decline["text"].lower()

    # The next question gets its answer and nothing else: no further offer.
    assert "30 days" in " ".join(message["text"] for message in result["after"])
    assert result["buttons_after_decline"] == []
    assert [m["text"] for m in result["after_all"]] == [m["text"] for m in result["after"]]

    # The store recorded one impression and one decline, on the socket.io channel.
    db = widget_stack.assistant.shop_db_url
    impressions = [e for e in offer_events(db, "C001", "impression") if e.channel == "socketio"]
    declines = [e for e in offer_events(db, "C001", "declined") if e.channel == "socketio"]
    assert len(impressions) == 1, [(e.kind, e.offer_id, e.conversation_id) for e in impressions]
    assert len(declines) == 1
    assert declines[0].offer_id == impressions[0].offer_id
    assert declines[0].conversation_id == impressions[0].conversation_id

    # The cart the visitor filled on the page is in the store, at catalog prices.
    cart = cart_for(lambda: uow_for(db), "C001")
    assert {line.sku: line.quantity for line in cart.lines} == {"BAG-CAM": 2}
    assert result["cart_total"] == f"Total {currency}{cart.total:.2f}"

    assert SCREENSHOT.is_file() and SCREENSHOT.stat().st_size > 10_000
