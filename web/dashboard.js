// Tactful staff dashboard: reads /dashboard/api/report and draws it.
// Every number shown carries data-metric (its path in the report JSON) and
// data-value (the JSON value itself), so tests can check the page against the report.
"use strict";

const $ = (id) => document.getElementById(id);
const charts = {};

function pct(value) {
  return value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)} %`;
}

function money(value) {
  return value === null || value === undefined ? "–" : Number(value).toFixed(2);
}

function interval(part, show) {
  if (!part || part.estimate === null || part.estimate === undefined) return "not enough data";
  // A bound the data cannot give (e.g. a holdout that bought nothing) is "?", never 0.
  const bound = (value) => (value === null || value === undefined ? "?" : show(value));
  return `${show(part.estimate)} [${bound(part.low)}, ${bound(part.high)}]`;
}

function cell(text, metric, value, numeric = true) {
  const td = document.createElement("td");
  td.textContent = text;
  if (numeric) td.className = "num";
  if (metric) {
    td.dataset.metric = metric;
    td.dataset.value = JSON.stringify(value === undefined ? null : value);
  }
  return td;
}

function row(tbody, cells) {
  const tr = document.createElement("tr");
  cells.forEach((c) => tr.appendChild(typeof c === "string" ? cell(c, null, null, false) : c));
  tbody.appendChild(tr);
}

function clear(id) {
  const body = $(id).tagName === "TABLE" ? $(id).querySelector("tbody") : $(id);
  body.replaceChildren();
  return body;
}

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw Object.assign(new Error(body.error || `HTTP ${response.status}`), { status: response.status });
  return body;
}

function show(signedIn) {
  $("login").hidden = signedIn;
  $("dashboard").hidden = !signedIn;
  $("controls").hidden = !signedIn;
}

function draw(id, config) {
  if (charts[id]) charts[id].destroy();
  charts[id] = new Chart($(id), { ...config, options: { animation: false, responsive: true, ...config.options } });
}

function renderOverall(report) {
  const body = clear("overall");
  const o = report.overall;
  const counts = [["conversations with a decision", "conversations"], ["offers shown", "offers"]];
  counts.forEach(([label, key]) => row(body, [label, cell(String(o[key]), `overall.${key}`, o[key])]));
  const rates = [
    ["offer rate", "offer_rate"], ["acceptance rate", "acceptance_rate"], ["decline rate", "decline_rate"],
    ["ignore rate", "ignore_rate"], ["opt-out rate", "opt_out_rate"],
  ];
  rates.forEach(([label, key]) => row(body, [label, cell(pct(o[key]), `overall.${key}`, o[key])]));
  const cs = report.cross_sell;
  $("cross-sell").textContent = `Cross-sell conversion (accepted offers paid within ${cs.days} days): `;
  const span = document.createElement("span");
  span.dataset.metric = "cross_sell.conversion";
  span.dataset.value = JSON.stringify(cs.conversion);
  span.textContent = `${pct(cs.conversion)} (${cs.paid} of ${cs.accepted})`;
  $("cross-sell").appendChild(span);
}

function renderAcceptance(report) {
  const days = [...new Set(report.acceptance_over_time.map((p) => p.day))].sort();
  const offers = [...new Set(report.acceptance_over_time.map((p) => p.offer))].sort();
  const datasets = offers.map((offer) => ({
    label: offer,
    data: days.map((day) => {
      const point = report.acceptance_over_time.find((p) => p.offer === offer && p.day === day);
      return point && point.rate !== null ? point.rate * 100 : null;
    }),
    spanGaps: true,
  }));
  draw("acceptance-chart", {
    type: "line",
    data: { labels: days, datasets },
    options: { scales: { y: { title: { display: true, text: "accepted, % of offers shown" }, min: 0, max: 100 } } },
  });
}

function renderHoldout(report) {
  const body = clear("holdout");
  const windows = Object.keys(report.holdout).sort((a, b) => Number(a) - Number(b));
  windows.forEach((w) => {
    const h = report.holdout[w];
    const path = `holdout.${w}`;
    row(body, [
      `${w} days`,
      cell(money(h.treated.revenue_per_customer), `${path}.treated.revenue_per_customer`, h.treated.revenue_per_customer),
      cell(money(h.holdout.revenue_per_customer), `${path}.holdout.revenue_per_customer`, h.holdout.revenue_per_customer),
      cell(interval(h.incremental_revenue_per_customer, money), `${path}.incremental_revenue_per_customer.estimate`, h.incremental_revenue_per_customer.estimate),
      cell(interval(h.incremental_sales_pct, (v) => `${Number(v).toFixed(1)} %`), `${path}.incremental_sales_pct.estimate`, h.incremental_sales_pct.estimate),
    ]);
  });
  // Floating bars draw each arm's interval-free value and the increment's interval.
  draw("holdout-chart", {
    type: "bar",
    data: {
      labels: windows.map((w) => `${w} days`),
      datasets: [
        { label: "treated", data: windows.map((w) => report.holdout[w].treated.revenue_per_customer) },
        { label: "holdout", data: windows.map((w) => report.holdout[w].holdout.revenue_per_customer) },
        {
          label: "incremental per customer (95 % interval)",
          data: windows.map((w) => {
            const i = report.holdout[w].incremental_revenue_per_customer;
            return i.low === null || i.low === undefined ? null : [i.low, i.high];
          }),
        },
      ],
    },
    options: { scales: { y: { title: { display: true, text: "revenue per customer" } } } },
  });
}

function renderHarm(report) {
  const body = clear("harm");
  const signals = report.harm.signals;
  signals.forEach((s) => {
    row(body, [
      s.signal,
      cell(pct(s.with_offer_rate), `harm.${s.signal}.with_offer_rate`, s.with_offer_rate),
      cell(pct(s.without_offer_rate), `harm.${s.signal}.without_offer_rate`, s.without_offer_rate),
      cell(interval(s.difference, pct), null, null),
    ]);
  });
  draw("harm-chart", {
    type: "bar",
    data: {
      labels: signals.map((s) => s.signal),
      datasets: [
        { label: `with an offer (${report.harm.with_offer.conversations} conversations)`, data: signals.map((s) => (s.with_offer_rate ?? 0) * 100) },
        { label: `without (${report.harm.without_offer.conversations} conversations)`, data: signals.map((s) => (s.without_offer_rate ?? 0) * 100) },
      ],
    },
    options: { scales: { y: { title: { display: true, text: "% of conversations" }, min: 0 } } },
  });
}

function renderReasons(report) {
  const body = clear("reasons");
  report.no_offer_reasons.forEach((r) => row(body, [r.reason, cell(String(r.count), `no_offer_reasons.${r.reason}`, r.count)]));
  draw("reasons-chart", {
    type: "bar",
    data: { labels: report.no_offer_reasons.map((r) => r.reason), datasets: [{ label: "decisions without an offer", data: report.no_offer_reasons.map((r) => r.count) }] },
    options: { indexAxis: "y" },
  });
}

function renderVariants(report) {
  const body = clear("variants");
  report.variants.forEach((v) => {
    const key = `variants.${v.offer}.${v.variant_b}`;
    row(body, [
      v.offer,
      `${v.variant_a}: ${v.a.accepted}/${v.a.shown}`,
      `${v.variant_b}: ${v.b.accepted}/${v.b.shown}`,
      cell(pct(v.prob_b_better), `${key}.prob_b_better`, v.prob_b_better),
      cell(v.verdict, `${key}.verdict`, v.verdict, false),
    ]);
  });
}

async function loadReport() {
  $("status").textContent = "Loading…";
  try {
    const report = await api(`/dashboard/api/report?days=${encodeURIComponent($("days").value)}`);
    $("period").textContent = `From ${report.period.since} to ${report.period.until} (UTC)${report.empty ? " — no data in this period yet" : ""}`;
    renderOverall(report);
    renderAcceptance(report);
    renderHoldout(report);
    renderHarm(report);
    renderReasons(report);
    renderVariants(report);
    $("status").textContent = "";
    document.body.dataset.reportLoaded = report.generated_at;
  } catch (error) {
    if (error.status === 401) return show(false);
    $("status").textContent = `Could not load the report: ${error.message}`;
  }
}

function decisionItem(d) {
  const li = document.createElement("li");
  const head = document.createElement("div");
  const when = `${d.at} · ${d.channel || "?"}${d.stage ? ` · ${d.stage}` : ""}`;
  head.textContent = `${when} — `;
  const verdict = document.createElement("span");
  if (d.offer) {
    verdict.className = "offer";
    verdict.textContent = `offered ${d.offer}${d.outcome.length ? ` (${d.outcome.join(", ")})` : ""}`;
  } else {
    verdict.textContent = "no offer";
  }
  head.appendChild(verdict);
  li.appendChild(head);
  const reasons = document.createElement("ul");
  d.reasons.forEach((r) => {
    const item = document.createElement("li");
    item.textContent = `${r.code}: ${r.text}`;
    reasons.appendChild(item);
  });
  li.appendChild(reasons);
  if (d.trace.length) {
    const trace = document.createElement("div");
    trace.className = "trace";
    trace.textContent = d.trace.join("\n");
    li.appendChild(trace);
  }
  return li;
}

async function lookup(event) {
  event.preventDefault();
  const list = clear("decisions");
  $("lookup-error").textContent = "";
  try {
    const found = await api(`/dashboard/api/customers/${encodeURIComponent($("customer-id").value.trim())}`);
    if (!found.decisions.length) $("lookup-error").textContent = "No decisions for this customer yet.";
    found.decisions.forEach((d) => list.appendChild(decisionItem(d)));
  } catch (error) {
    if (error.status === 401) return show(false);
    $("lookup-error").textContent = error.message;
  }
}

async function login(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  try {
    await api("/dashboard/api/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: $("token").value }),
    });
    $("token").value = "";
    show(true);
    await loadReport();
  } catch (error) {
    $("login-error").textContent = error.message;
  }
}

async function start() {
  $("login-form").addEventListener("submit", login);
  $("lookup-form").addEventListener("submit", lookup);
  $("days").addEventListener("change", loadReport);
  $("logout").addEventListener("click", async () => {
    await api("/dashboard/api/logout", { method: "POST" });
    show(false);
  });
  const session = await api("/dashboard/api/session");
  show(session.signed_in);
  if (session.signed_in) await loadReport();
}

document.addEventListener("DOMContentLoaded", start);
