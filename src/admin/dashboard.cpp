// The dashboard page: HTML, CSS and JavaScript in one string (see dashboard.hpp).
#include "larder/admin/dashboard.hpp"

namespace larder::admin {

namespace {
constexpr std::string_view kPage = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Larder dashboard</title>
<style>
  :root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --dim:#6b7385; --line:#e3e6ec;
          --hit:#2e9d5b; --miss:#d98b1c; --pass:#5b7bd5; --stale:#8e5bd5; --coalesced:#1fa3a3;
          --hfp:#b25b8e; --error:#d33c3c; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
         background:var(--bg); color:var(--ink); }
  header { display:flex; gap:1em; align-items:baseline; padding:12px 20px; background:var(--ink);
           color:#fff; }
  header h1 { font-size:18px; margin:0; }
  header .dim { color:#aab1c0; }
  #live { margin-left:auto; }
  .badge { padding:1px 8px; border-radius:9px; font-size:12px; background:#3a4358; }
  .badge.ok { background:var(--hit); } .badge.bad { background:var(--error); }
  main { display:grid; grid-template-columns:repeat(auto-fit, minmax(340px, 1fr)); gap:14px;
         padding:14px 20px; }
  section { background:var(--card); border:1px solid var(--line); border-radius:8px;
            padding:12px 14px; }
  section.wide { grid-column:1 / -1; }
  h2 { font-size:13px; text-transform:uppercase; letter-spacing:.05em; color:var(--dim);
       margin:0 0 8px; }
  .big { font-size:30px; font-weight:600; }
  .row { display:flex; gap:22px; flex-wrap:wrap; }
  .stat .label { color:var(--dim); font-size:12px; }
  .stat .value { font-size:20px; font-weight:600; font-variant-numeric:tabular-nums; }
  .stat .sub { color:var(--dim); font-size:12px; font-variant-numeric:tabular-nums; }
  table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
  th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); }
  th { color:var(--dim); font-weight:500; font-size:12px; }
  td.num, th.num { text-align:right; }
  td.key { font-family:ui-monospace, monospace; font-size:12px; word-break:break-all; }
  .state-up { color:var(--hit); font-weight:600; } .state-down, .state-ejected { color:var(--error); font-weight:600; }
  .state-ok { color:var(--hit); font-weight:600; } .state-behind { color:var(--stale); font-weight:600; } .state-silent, .state-unreadable { color:var(--error); font-weight:600; }
  .bar { height:12px; background:var(--line); border-radius:6px; overflow:hidden; margin:6px 0; }
  .bar > div { height:100%; background:var(--pass); width:0; }
  canvas { width:100%; height:140px; display:block; }
  .legend span { display:inline-block; margin-right:12px; font-size:12px; }
  .legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin-right:4px; }
  .empty { color:var(--dim); font-style:italic; }
</style>
</head>
<body data-updates="0">
<header>
  <h1>Larder</h1>
  <span class="dim">version <span id="version">?</span></span>
  <span class="dim">up <span id="uptime">?</span></span>
  <span id="draining" class="badge" hidden>draining</span>
  <span id="live" class="badge">connecting</span>
</header>
<main>
  <section class="wide">
    <h2>Requests per second by cache status</h2>
    <div class="row" id="statuses"></div>
    <canvas id="chart" width="1200" height="140"></canvas>
    <div class="legend" id="legend"></div>
  </section>
  <section>
    <h2>Hit ratio</h2>
    <div class="big" id="hit-ratio">&ndash;</div>
    <div class="stat"><span class="sub" id="hit-ratio-window">served from cache (HIT, STALE, COALESCED) out of all responses</span></div>
    <div class="row" style="margin-top:10px">
      <div class="stat"><div class="label">requests/s</div><div class="value" id="rate-total">0</div></div>
      <div class="stat"><div class="label">requests since start</div><div class="value" id="total-requests">0</div></div>
      <div class="stat"><div class="label">coalesced waiters</div><div class="value" id="coalesced-waiters">0</div></div>
    </div>
  </section>
  <section>
    <h2>Origin latency</h2>
    <div class="row">
      <div class="stat"><div class="label">p50</div><div class="value" id="lat-p50">&ndash;</div></div>
      <div class="stat"><div class="label">p90</div><div class="value" id="lat-p90">&ndash;</div></div>
      <div class="stat"><div class="label">p99</div><div class="value" id="lat-p99">&ndash;</div></div>
    </div>
    <div class="sub dim" id="lat-window" style="color:var(--dim);font-size:12px">no origin responses yet</div>
    <div class="row" style="margin-top:10px">
      <div class="stat"><div class="label">origin requests/s</div><div class="value" id="rate-origin">0</div></div>
      <div class="stat"><div class="label">upstream errors</div><div class="value" id="upstream-errors">0</div></div>
    </div>
  </section>
  <section>
    <h2>Store</h2>
    <div class="stat"><div class="label">bytes</div><div class="value"><span id="store-bytes">0</span> / <span id="store-max-bytes">0</span></div></div>
    <div class="bar"><div id="store-fill"></div></div>
    <div class="row">
      <div class="stat"><div class="label">objects</div><div class="value" id="store-objects">0</div><div class="sub">of <span id="store-max-objects">0</span></div></div>
      <div class="stat"><div class="label">evictions</div><div class="value" id="store-evictions">0</div></div>
      <div class="stat"><div class="label">purged</div><div class="value" id="purged-objects">0</div></div>
    </div>
  </section>
  <section>
    <h2>Connections</h2>
    <div class="row">
      <div class="stat"><div class="label">clients</div><div class="value" id="conn-client">0</div></div>
      <div class="stat"><div class="label">upstream active</div><div class="value" id="conn-upstream-active">0</div></div>
      <div class="stat"><div class="label">upstream idle</div><div class="value" id="conn-upstream-idle">0</div></div>
    </div>
  </section>
  <section class="wide" id="cluster-section" hidden>
    <h2>Cluster <span class="dim">(this node: <span id="cluster-node"></span>; Redis <span id="cluster-redis">?</span>)</span></h2>
    <table><thead><tr><th>node</th><th>state</th><th class="num">hit ratio</th><th class="num">responses</th>
      <th class="num">objects</th><th class="num">purge lag</th><th class="num">heartbeat age</th><th class="num">queued purges</th></tr></thead>
      <tbody id="cluster-nodes"></tbody></table>
  </section>
  <section class="wide">
    <h2>Backends</h2>
    <table><thead><tr><th>server</th><th>state</th><th class="num">active</th><th class="num">idle</th>
      <th class="num">latency (EWMA)</th><th class="num">responses</th><th>failures</th></tr></thead>
      <tbody id="backends"></tbody></table>
  </section>
  <section>
    <h2>Top rules</h2>
    <table><thead><tr><th>rule</th><th class="num">req/s</th><th class="num">total</th><th class="num">hit ratio</th></tr></thead>
      <tbody id="rules"></tbody></table>
  </section>
  <section>
    <h2>Top keys (hits, sampled)</h2>
    <table><thead><tr><th>key</th><th class="num">hits &asymp;</th></tr></thead>
      <tbody id="top-keys"></tbody></table>
  </section>
</main>
<script>
"use strict";
const STATUSES = ["HIT", "MISS", "PASS", "STALE", "COALESCED", "HIT-FOR-PASS", "ERROR"];
const COLORS = { "HIT": "--hit", "MISS": "--miss", "PASS": "--pass", "STALE": "--stale",
                 "COALESCED": "--coalesced", "HIT-FOR-PASS": "--hfp", "ERROR": "--error" };
const FROM_CACHE = ["HIT", "STALE", "COALESCED"];
const WINDOW_SECONDS = 10;
const history = [];  // the last minute of /stats.json answers
let updates = 0;

const $ = (id) => document.getElementById(id);
const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
const sum = (o, keys) => keys.reduce((a, k) => a + (o[k] || 0), 0);
const total = (o) => sum(o, STATUSES);
function fmtInt(n) { return Math.round(n).toLocaleString("en-US"); }
function fmtRate(r) { return r >= 100 ? fmtInt(r) : r.toFixed(1); }
function fmtBytes(b) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"]; let i = 0;
  while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return (i ? b.toFixed(1) : b) + " " + units[i];
}
function fmtSeconds(s) {
  if (s === null) return "\u2013";
  return s < 1 ? (s * 1000).toFixed(s < 0.01 ? 2 : 1) + " ms" : s.toFixed(2) + " s";
}
function fmtDuration(s) {
  s = Math.floor(s); const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
  m = Math.floor(s % 3600 / 60);
  return d ? d + "d " + h + "h" : h ? h + "h " + m + "m" : m ? m + "m " + (s % 60) + "s" : s + "s";
}
function setText(id, text) { const e = $(id); if (e.textContent !== text) e.textContent = text; }

// The answer `seconds` before the newest (or the oldest kept).
function before(seconds) {
  const last = history[history.length - 1];
  for (let i = history.length - 2; i >= 0; i--)
    if (last.time_ms - history[i].time_ms >= seconds * 1000) return history[i];
  return history.length > 1 ? history[0] : null;
}
function rates(now, then) {
  const dt = then ? (now.time_ms - then.time_ms) / 1000 : 0;
  const out = {};
  for (const s of STATUSES) out[s] = dt > 0 ? (now.requests[s] - then.requests[s]) / dt : 0;
  return out;
}
function delta(now, then, get) { return then ? get(now) - get(then) : get(now); }

// p-quantile of a histogram (non-cumulative counts, upper bounds; the last bucket is open).
function quantile(buckets, bounds, q) {
  const n = buckets.reduce((a, b) => a + b, 0);
  if (n <= 0) return null;
  const rank = q * n; let seen = 0;
  for (let i = 0; i < buckets.length; i++) {
    if (seen + buckets[i] >= rank && buckets[i] > 0) {
      const lo = i === 0 ? 0 : bounds[i - 1], hi = i < bounds.length ? bounds[i] : bounds[bounds.length - 1];
      return lo + (hi - lo) * ((rank - seen) / buckets[i]);
    }
    seen += buckets[i];
  }
  return bounds[bounds.length - 1];
}
function latencyBuckets(s) {
  const out = new Array(s.latency_bounds_seconds.length + 1).fill(0);
  for (const b of s.backends) b.latency_buckets.forEach((n, i) => out[i] += n);
  return out;
}

function renderStatuses(s, r) {
  const box = $("statuses");
  if (!box.children.length) {
    for (const st of STATUSES) {
      const d = document.createElement("div"); d.className = "stat";
      d.innerHTML = '<div class="label"></div><div class="value"></div><div class="sub"></div>';
      d.children[0].textContent = st; d.children[1].id = "rate-" + st;
      d.children[2].innerHTML = 'total <span id="total-' + st + '"></span>';
      d.children[1].style.color = css(COLORS[st]);
      box.appendChild(d);
      const l = document.createElement("span");
      l.innerHTML = '<i></i>'; l.firstChild.style.background = css(COLORS[st]);
      l.appendChild(document.createTextNode(st)); $("legend").appendChild(l);
    }
  }
  for (const st of STATUSES) { setText("rate-" + st, fmtRate(r[st])); setText("total-" + st, fmtInt(s.requests[st])); }
}

function drawChart() {
  const c = $("chart"), g = c.getContext("2d"), w = c.width, h = c.height;
  g.clearRect(0, 0, w, h);
  const series = [];
  for (let i = 1; i < history.length; i++) series.push(rates(history[i], history[i - 1]));
  if (!series.length) return;
  const max = Math.max(1, ...series.map((r) => Math.max(...STATUSES.map((s) => r[s]))));
  const step = w / 60;
  g.strokeStyle = css("--line"); g.beginPath(); g.moveTo(0, h - 0.5); g.lineTo(w, h - 0.5); g.stroke();
  for (const st of STATUSES) {
    g.strokeStyle = css(COLORS[st]); g.lineWidth = 2; g.beginPath();
    series.forEach((r, i) => {
      const x = w - (series.length - 1 - i) * step, y = h - 4 - (h - 8) * r[st] / max;
      i ? g.lineTo(x, y) : g.moveTo(x, y);
    });
    g.stroke();
  }
  g.fillStyle = css("--dim"); g.font = "12px sans-serif"; g.fillText(fmtRate(max) + " req/s", 4, 14);
}

function renderRules(s, then) {
  const dt = then ? (s.time_ms - then.time_ms) / 1000 : 0;
  const prev = {}; if (then) for (const r of then.rules) prev[r.name] = total(r.requests);
  const rows = s.rules.map((r) => {
    const t = total(r.requests);
    return { name: r.name, total: t, rate: dt > 0 ? (t - (prev[r.name] || 0)) / dt : 0,
             ratio: t ? sum(r.requests, FROM_CACHE) / t : null };
  });
  const un = total(s.unmatched);
  if (un) rows.push({ name: "(no rule)", total: un, rate: 0, ratio: sum(s.unmatched, FROM_CACHE) / un });
  rows.sort((a, b) => b.rate - a.rate || b.total - a.total);
  fillTable("rules", rows.slice(0, 10), (r) => [r.name, fmtRate(r.rate), fmtInt(r.total),
    r.ratio === null ? "\u2013" : (100 * r.ratio).toFixed(1) + "%"], [false, true, true, true]);
}

function fillTable(id, rows, cells, numeric, keyColumn) {
  const body = $(id); body.textContent = "";
  if (!rows.length) {
    const tr = body.insertRow(); const td = tr.insertCell(); td.colSpan = numeric.length;
    td.className = "empty"; td.textContent = "none yet"; return;
  }
  for (const row of rows) {
    const tr = body.insertRow();
    cells(row).forEach((text, i) => {
      const td = tr.insertCell(); td.textContent = text;
      if (numeric[i]) td.className = "num"; else if (i === 0 && keyColumn) td.className = "key";
    });
  }
}

function render() {
  const s = history[history.length - 1], prev = before(1), win = before(WINDOW_SECONDS);
  setText("version", s.version); setText("uptime", fmtDuration(s.uptime_seconds));
  $("draining").hidden = !s.draining;
  const r = rates(s, prev);
  renderStatuses(s, r);
  setText("rate-total", fmtRate(sum(r, STATUSES)));
  setText("total-requests", fmtInt(total(s.requests)));
  setText("coalesced-waiters", fmtInt(s.coalesced_waiters));

  // Hit ratio over the window when traffic flowed in it, else since start.
  const wTotal = delta(s, win, (x) => total(x.requests));
  const useWindow = win && wTotal > 0;
  const base = useWindow ? win : null;
  const served = delta(s, base, (x) => sum(x.requests, FROM_CACHE)), all = delta(s, base, (x) => total(x.requests));
  setText("hit-ratio", all ? (100 * served / all).toFixed(1) + "%" : "\u2013");
  setText("hit-ratio-window", (useWindow ? "last " + WINDOW_SECONDS + " s" : "since start") +
          ": " + fmtInt(served) + " of " + fmtInt(all) + " served from cache (HIT, STALE, COALESCED)");

  // Origin latency percentiles, the same way.
  const now = latencyBuckets(s), old = win ? latencyBuckets(win) : null;
  let buckets = old ? now.map((n, i) => n - old[i]) : now, label = "last " + WINDOW_SECONDS + " s";
  if (buckets.every((n) => n === 0)) { buckets = now; label = "since start"; }
  const count = buckets.reduce((a, b) => a + b, 0);
  for (const q of [50, 90, 99]) setText("lat-p" + q, fmtSeconds(quantile(buckets, s.latency_bounds_seconds, q / 100)));
  setText("lat-window", count ? label + ", " + fmtInt(count) + " origin responses" : "no origin responses yet");
  setText("rate-origin", fmtRate(prev ? (s.upstream.requests - prev.upstream.requests) /
                                   Math.max(0.001, (s.time_ms - prev.time_ms) / 1000) : 0));
  setText("upstream-errors", fmtInt(s.upstream.errors));

  const st = s.store;
  setText("store-bytes", fmtBytes(st.bytes)); setText("store-max-bytes", fmtBytes(st.max_bytes));
  $("store-fill").style.width = Math.min(100, 100 * st.bytes / Math.max(1, st.max_bytes)) + "%";
  setText("store-objects", fmtInt(st.objects)); setText("store-max-objects", fmtInt(st.max_objects));
  setText("store-evictions", fmtInt(st.evictions)); setText("purged-objects", fmtInt(s.purged_objects));
  setText("conn-client", fmtInt(s.connections.client));
  setText("conn-upstream-active", fmtInt(s.connections.upstream_active));
  setText("conn-upstream-idle", fmtInt(s.connections.upstream_idle));

  fillTable("backends", s.backends, (b) => [b.name + (b.backup ? " (backup)" : ""), b.state,
    fmtInt(b.active), fmtInt(b.idle), b.latency_ewma_ms === null ? "\u2013" : fmtSeconds(b.latency_ewma_ms / 1000),
    fmtInt(b.responses), Object.entries(b.failures).map(([k, v]) => k + " " + v).join(", ") || "none"],
    [false, false, true, true, true, true, false]);
  for (const tr of $("backends").rows) if (tr.cells.length > 1) tr.cells[1].className = "state-" + tr.cells[1].textContent;
  renderRules(s, prev);
  fillTable("top-keys", s.top_keys, (k) => [k.key, fmtInt(k.hits)], [false, true], true);
  drawChart();
}

// The cluster panel (docs/scale-out.md): shown on a [cluster] node, from GET ./cluster.
async function pollCluster(node) {
  $("cluster-section").hidden = false;
  setText("cluster-node", node);
  try {
    const response = await fetch("cluster", { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const c = await response.json();
    setText("cluster-redis", c.redis.connected ? "connected" : "unreachable: " + (c.redis.reader_error || c.redis.writer_error));
    fillTable("cluster-nodes", c.nodes, (n) => [n.node,
      !n.readable ? "unreadable" : n.silent ? "silent" : n.behind ? "behind" : "ok",
      n.hit_ratio === null || n.hit_ratio === undefined ? "\u2013" : (100 * n.hit_ratio).toFixed(1) + "%",
      fmtInt(n.requests || 0), fmtInt(n.objects || 0), fmtSeconds((n.lag_ms || 0) / 1000),
      fmtSeconds((n.heartbeat_age_ms || 0) / 1000), fmtInt(n.queued || 0)],
      [false, false, true, true, true, true, true, true]);
    for (const tr of $("cluster-nodes").rows) if (tr.cells.length > 1) tr.cells[1].className = "state-" + tr.cells[1].textContent;
  } catch (e) {
    setText("cluster-redis", "no data: " + e.message);
  }
}

function setLive(text, ok) { const e = $("live"); e.textContent = text; e.className = "badge " + (ok ? "ok" : "bad"); }

async function poll() {
  try {
    const response = await fetch("stats.json", { cache: "no-store", credentials: "same-origin" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const s = await response.json();
    history.push(s);
    if (history.length > 61) history.shift();
    render();
    if (s.node) await pollCluster(s.node);
    document.body.dataset.updates = String(++updates);
    setLive("live", true);
  } catch (e) {
    setLive("no data: " + e.message, false);
  } finally {
    setTimeout(poll, 1000);
  }
}
poll();
</script>
</body>
</html>
)html";
}  // namespace

std::string_view dashboard_page() {
    return kPage;
}

}  // namespace larder::admin
