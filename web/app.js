// Tactful demo shop page. The backend signs the customer token; this script only
// passes the finished token to the widget. The cart lives in the shop database.
"use strict";

(function () {
  const CHAT_STORAGE_KEY = "chat_session"; // rasa-webchat 1.0.1 keeps the conversation here
  const state = { customer: null, chatData: null, config: null };
  const $ = (id) => document.getElementById(id);

  function setStatus(text, ok) {
    $("status").textContent = text || "";
    $("status").className = ok ? "ok" : "";
  }

  async function api(path, options) {
    const init = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
    if (init.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(init.body);
    }
    const response = await fetch(path, init);
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(payload.error || `${path} answered ${response.status}`);
    }
    return payload;
  }

  function element(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children || []) node.append(child);
    return node;
  }

  function money(text) {
    // The offer policy's currency symbol, so the page and the bot agree.
    return `${state.config.currency}${Number(text).toFixed(2)}`;
  }

  // ---- customers -------------------------------------------------------------

  async function loadCustomers() {
    const { customers } = await api("/api/customers");
    const select = $("customer");
    for (const customer of customers) {
      select.append(element("option", { value: customer.id, textContent: `${customer.name} (${customer.id})` }));
    }
    if (!customers.length) setStatus("No demo customers found: run `make db` to load the demo data.");
  }

  async function pickCustomer(event) {
    event.preventDefault();
    const customerId = $("customer").value;
    if (!customerId) return setStatus("Choose a demo customer first.");
    if (state.customer && state.customer.id === customerId) return;
    try {
      await api("/api/session", { method: "POST", body: { customer_id: customerId } });
    } catch (error) {
      return setStatus(error.message);
    }
    restartWithNewCustomer();
  }

  async function signOut() {
    await api("/api/session", { method: "DELETE" }).catch(() => {});
    restartWithNewCustomer();
  }

  // rasa-webchat reads customData once, when its socket connects, and the
  // standalone build cannot be unmounted. A new customer therefore gets a new
  // page: the widget is created again with the new token, and the previous
  // customer's conversation is dropped from this tab's storage first.
  function restartWithNewCustomer() {
    sessionStorage.removeItem(CHAT_STORAGE_KEY);
    localStorage.removeItem(CHAT_STORAGE_KEY);
    window.location.reload();
  }

  // ---- products and cart -----------------------------------------------------

  async function loadProducts() {
    const { products } = await api("/api/products");
    const list = $("products");
    list.replaceChildren();
    for (const product of products) {
      const add = element("button", {
        type: "button",
        className: "primary",
        textContent: product.in_stock ? "Add to cart" : "Out of stock",
        disabled: !product.in_stock,
      });
      add.dataset.sku = product.sku;
      add.addEventListener("click", () => changeQuantity(product.sku, 1));
      const item = element("li", {}, [
          element("span", { className: "name", textContent: product.name }),
          element("span", { className: "desc", textContent: product.description || "" }),
          element("span", { className: "price", textContent: money(product.price) }),
          add,
        ]);
      item.dataset.sku = product.sku;
      list.append(item);
    }
  }

  let cartLines = [];

  function renderCart(cart) {
    cartLines = cart.lines;
    const list = $("cart");
    list.replaceChildren();
    $("cart-hint").textContent = state.customer
      ? cart.lines.length ? "" : "Your cart is empty."
      : "Pick a demo customer to fill a cart.";
    for (const line of cart.lines) {
      const minus = element("button", { type: "button", textContent: "−", title: "One less" });
      const plus = element("button", { type: "button", textContent: "+", title: "One more" });
      const remove = element("button", { type: "button", textContent: "Remove" });
      minus.addEventListener("click", () => changeQuantity(line.sku, -1));
      plus.addEventListener("click", () => changeQuantity(line.sku, 1));
      remove.addEventListener("click", () => setQuantity(line.sku, 0));
      const row = element("li", {}, [
        element("span", { className: "line-name", textContent: `${line.name} × ${line.quantity}` }),
        element("span", { className: "qty" }, [minus, plus, remove]),
        element("span", { textContent: money(line.line_total) }),
      ]);
      row.dataset.sku = line.sku;
      list.append(row);
    }
    $("cart-total").textContent = cart.lines.length ? `Total ${money(cart.total)}` : "";
  }

  async function loadCart() {
    if (!state.customer) return renderCart({ lines: [], total: "0" });
    renderCart(await api("/api/cart"));
  }

  function changeQuantity(sku, delta) {
    const line = cartLines.find((item) => item.sku === sku);
    return setQuantity(sku, (line ? line.quantity : 0) + delta);
  }

  async function setQuantity(sku, quantity) {
    if (!state.customer) return setStatus("Pick a demo customer first.");
    try {
      renderCart(await api("/api/cart", { method: "POST", body: { sku, quantity } }));
      setStatus("Cart updated.", true);
    } catch (error) {
      setStatus(error.message);
    }
  }

  // ---- chat widget -----------------------------------------------------------

  function startWidget(session) {
    const config = state.config;
    // Kept by reference: rasa-webchat sends this same object with every
    // message, so refreshTokenLater can swap in a fresh token without
    // reconnecting (and without changing who the visitor is).
    state.chatData = { customer_token: session.customer_token };
    window.WebChat.default(
      {
        socketUrl: config.socketUrl,
        socketPath: config.socketPath,
        customData: state.chatData,
        params: { storage: config.storage },
        title: "Aurora Shop help",
        subtitle: session.customer ? `Signed in as ${session.customer.name}` : "Not signed in",
        inputTextFieldHint: "Ask about orders, returns, products…",
        showMessageDate: false,
        customMessageDelay: (message) => Math.min(600, 10 * message.length),
      },
      $("webchat")
    );
    if (session.customer_token) refreshTokenLater(session.expires_in);
  }

  function refreshTokenLater(expiresIn) {
    const delay = Math.max(20, expiresIn - 60) * 1000;
    window.setTimeout(async () => {
      try {
        const session = await api("/api/session");
        if (session.customer && state.customer && session.customer.id === state.customer.id) {
          state.chatData.customer_token = session.customer_token;
          refreshTokenLater(session.expires_in);
        }
      } catch (error) {
        setStatus(`Could not refresh the sign-in: ${error.message}`);
      }
    }, delay);
  }

  // ---- start -----------------------------------------------------------------

  async function start() {
    $("customer-form").addEventListener("submit", pickCustomer);
    $("sign-out").addEventListener("click", signOut);
    try {
      state.config = await api("/api/config");
      await loadCustomers();
      const session = await api("/api/session");
      state.customer = session.customer;
      if (session.customer) {
        $("customer").value = session.customer.id;
        $("sign-out").hidden = false;
        setStatus(`Shopping as ${session.customer.name}.`, true);
      }
      await Promise.all([loadProducts(), loadCart()]);
      startWidget(session);
      document.body.dataset.ready = "true";
    } catch (error) {
      setStatus(error.message);
    }
  }

  start();
})();
