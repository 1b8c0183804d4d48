"""The demo shop page's backend, as a real process on a real SQLite shop database."""

from __future__ import annotations

from decimal import Decimal

import jwt
import pytest
import requests

from tactful.services.policy_file import load_policy
from tactful.services.support import cart_for
from tactful.store.unit_of_work import uow_for
from tests.support.servers import REPO_ROOT, skip_or_fail
from tests.web.backend import WIDGET_FILE, WebBackend
from tests.web.conftest import JWT_SECRET, RASA_URL

TIMEOUT = 10


def signed_in(backend: WebBackend, customer_id: str) -> requests.Session:
    session = requests.Session()
    response = session.post(f"{backend.url}/api/session", json={"customer_id": customer_id}, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return session


def db_cart(shop_env: dict[str, str], customer_id: str) -> dict[str, int]:
    view = cart_for(lambda: uow_for(shop_env["TACTFUL_SHOP_DB_URL"]), customer_id)
    return {line.sku: line.quantity for line in view.lines}


def test_health_is_ok(backend: WebBackend) -> None:
    if not WIDGET_FILE.is_file():
        skip_or_fail("web/node_modules is missing; run `make web`")
    response = requests.get(f"{backend.url}/health", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_config_points_the_widget_at_rasa(backend: WebBackend) -> None:
    config = requests.get(f"{backend.url}/api/config", timeout=TIMEOUT).json()
    currency = load_policy(REPO_ROOT / "policy.yml").currency_symbol
    assert config == {
        "socketUrl": RASA_URL,
        "socketPath": "/socket.io/",
        "storage": "session",
        "currency": currency,
    }


def test_customers_are_the_demo_customers_with_id_and_name_only(backend: WebBackend) -> None:
    customers = requests.get(f"{backend.url}/api/customers", timeout=TIMEOUT).json()["customers"]
    assert [c["id"] for c in customers] == [f"C{n:03d}" for n in range(1, 12)]
    assert customers[0] == {"id": "C001", "name": "Alice Archer"}
    assert all(set(c) == {"id", "name"} for c in customers)


def test_products_come_from_the_catalog(backend: WebBackend) -> None:
    products = {
        p["sku"]: p for p in requests.get(f"{backend.url}/api/products", timeout=TIMEOUT).json()["products"]
    }
    assert products["CAM-X100"]["price"] == "499.00"
    assert products["SD-64"]["price"] == "24.99"
    assert products["TRIPOD-T1"]["in_stock"] is False


def test_picking_a_customer_sets_an_httponly_cookie_and_returns_a_short_lived_token(
    backend: WebBackend,
) -> None:
    response = requests.post(f"{backend.url}/api/session", json={"customer_id": "C001"}, timeout=TIMEOUT)
    assert response.status_code == 200
    body = response.json()
    assert body["customer"] == {"id": "C001", "name": "Alice Archer"}
    claims = jwt.decode(body["customer_token"], JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "C001"
    assert claims["exp"] - claims["iat"] == 15 * 60 == body["expires_in"]
    cookie = response.headers["Set-Cookie"]
    assert "tactful_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert JWT_SECRET not in response.text
    assert response.headers["Cache-Control"] == "no-store"


def test_the_session_cookie_gives_a_fresh_token_and_a_tampered_one_gives_nothing(
    backend: WebBackend,
) -> None:
    session = signed_in(backend, "C002")
    again = session.get(f"{backend.url}/api/session", timeout=TIMEOUT).json()
    assert again["customer"]["id"] == "C002"
    assert jwt.decode(again["customer_token"], JWT_SECRET, algorithms=["HS256"])["sub"] == "C002"

    value = session.cookies["tactful_session"]
    forged = value.replace("C002", "C001", 1)
    anonymous = requests.get(
        f"{backend.url}/api/session", cookies={"tactful_session": forged}, timeout=TIMEOUT
    ).json()
    assert anonymous == {"customer": None, "customer_token": None}
    cart = requests.get(f"{backend.url}/api/cart", cookies={"tactful_session": forged}, timeout=TIMEOUT)
    assert cart.status_code == 401


def test_signing_out_clears_the_cookie(backend: WebBackend) -> None:
    session = signed_in(backend, "C003")
    session.delete(f"{backend.url}/api/session", timeout=TIMEOUT)
    assert session.get(f"{backend.url}/api/session", timeout=TIMEOUT).json()["customer"] is None


@pytest.mark.parametrize(
    ("body", "headers", "status", "expected"),
    [
        (b'{"customer_id": "C001"}', {"Content-Type": "text/plain"}, 415, "JSON"),
        (b"customer_id=C001", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "JSON"),
        (b"{not json", {"Content-Type": "application/json"}, 400, "not valid JSON"),
        (b'["C001"]', {"Content-Type": "application/json"}, 400, "JSON object"),
        (b"{}", {"Content-Type": "application/json"}, 400, "'customer_id'"),
        (b'{"customer_id": 1}', {"Content-Type": "application/json"}, 400, "'customer_id'"),
        (b'{"customer_id": "C999"}', {"Content-Type": "application/json"}, 404, "not one of the demo"),
        (b'{"customer_id": "' + b"C" * 100 + b'"}', {"Content-Type": "application/json"}, 400, "at most"),
    ],
)
def test_bad_session_requests_get_a_clear_error(
    backend: WebBackend, body: bytes, headers: dict[str, str], status: int, expected: str
) -> None:
    response = requests.post(f"{backend.url}/api/session", data=body, headers=headers, timeout=TIMEOUT)
    assert response.status_code == status
    assert expected in response.json()["error"]
    assert "Set-Cookie" not in response.headers


def test_the_cart_needs_a_picked_customer(backend: WebBackend) -> None:
    response = requests.get(f"{backend.url}/api/cart", timeout=TIMEOUT)
    assert response.status_code == 401
    assert "pick a demo customer" in response.json()["error"]
    response = requests.post(f"{backend.url}/api/cart", json={"sku": "SD-64", "quantity": 1}, timeout=TIMEOUT)
    assert response.status_code == 401


def test_the_cart_is_kept_in_the_store_with_catalog_prices(
    backend: WebBackend, shop_env: dict[str, str]
) -> None:
    session = signed_in(backend, "C005")
    url = f"{backend.url}/api/cart"
    assert session.get(url, timeout=TIMEOUT).json() == {"lines": [], "total": "0.00"}

    # A price sent by the browser is ignored: prices come from the catalog.
    cart = session.post(url, json={"sku": "SD-64", "quantity": 2, "price": "0.01"}, timeout=TIMEOUT).json()
    assert cart["lines"] == [
        {
            "sku": "SD-64",
            "name": "64 GB SD memory card",
            "quantity": 2,
            "unit_price": "24.99",
            "line_total": "49.98",
        }
    ]
    session.post(url, json={"sku": "BAG-CAM", "quantity": 1}, timeout=TIMEOUT)
    assert db_cart(shop_env, "C005") == {"SD-64": 2, "BAG-CAM": 1}

    cart = session.post(url, json={"sku": "SD-64", "quantity": 0}, timeout=TIMEOUT).json()
    assert [line["sku"] for line in cart["lines"]] == ["BAG-CAM"]
    assert Decimal(cart["total"]) == Decimal("34.99")
    assert db_cart(shop_env, "C005") == {"BAG-CAM": 1}
    assert session.get(url, timeout=TIMEOUT).json() == cart


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"quantity": 1}, "'sku'"),
        ({"sku": "", "quantity": 1}, "'sku'"),
        ({"sku": 7, "quantity": 1}, "'sku'"),
        ({"sku": "SD-64"}, "'quantity'"),
        ({"sku": "SD-64", "quantity": "2"}, "whole number"),
        ({"sku": "SD-64", "quantity": 1.5}, "whole number"),
        ({"sku": "SD-64", "quantity": True}, "whole number"),
        ({"sku": "SD-64", "quantity": -1}, "between 0 and 20"),
        ({"sku": "SD-64", "quantity": 21}, "between 0 and 20"),
        ({"sku": "NOPE-1", "quantity": 1}, "unknown product"),
        ({"sku": "TRIPOD-T1", "quantity": 1}, "in stock"),
        ({"sku": "PLAN-PRO", "quantity": 2}, "subscription"),
        ([{"sku": "SD-64", "quantity": 1}], "JSON object"),
    ],
)
def test_bad_cart_changes_get_400_and_change_nothing(
    backend: WebBackend, shop_env: dict[str, str], body: object, expected: str
) -> None:
    session = signed_in(backend, "C011")
    before = db_cart(shop_env, "C011")
    response = session.post(f"{backend.url}/api/cart", json=body, timeout=TIMEOUT)
    assert response.status_code == 400, response.text
    assert expected in response.json()["error"]
    assert db_cart(shop_env, "C011") == before


def test_a_too_large_body_is_refused(backend: WebBackend) -> None:
    session = signed_in(backend, "C011")
    response = session.post(
        f"{backend.url}/api/cart", json={"sku": "SD-64", "quantity": 1, "pad": "x" * 20_000}, timeout=TIMEOUT
    )
    assert response.status_code == 413
    assert "at most" in response.json()["error"]


def test_the_page_is_served_with_a_strict_content_security_policy(backend: WebBackend) -> None:
    response = requests.get(f"{backend.url}/", timeout=TIMEOUT)
    assert response.status_code == 200
    assert '<script src="/static/rasa-webchat.js">' in response.text
    assert "https://" not in response.text and "//cdn" not in response.text
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert f"connect-src 'self' {RASA_URL} ws://127.0.0.1:5999" in policy


def test_the_widget_is_served_locally_from_node_modules(backend: WebBackend) -> None:
    if not WIDGET_FILE.is_file():
        skip_or_fail("web/node_modules is missing; run `make web`")
    response = requests.get(f"{backend.url}/static/rasa-webchat.js", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.content == WIDGET_FILE.read_bytes()
    assert requests.get(f"{backend.url}/static/app.js", timeout=TIMEOUT).status_code == 200


@pytest.mark.parametrize(
    "path", ["/static/index.js", "/static/..%2Fpackage.json", "/static/../web/app.js", "/api/nope"]
)
def test_only_known_files_are_served(backend: WebBackend, path: str) -> None:
    response = requests.get(f"{backend.url}{path}", timeout=TIMEOUT)
    assert response.status_code == 404
