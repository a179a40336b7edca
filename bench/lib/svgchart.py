"""A plain SVG chart of one bench/run: one panel per scenario, a bar per system (req/s on the
panel's own scale), labelled with req/s and p99. No plotting library needed."""
from xml.sax.saxutils import escape

COLORS = {"larder": "#d9480f", "varnish": "#1971c2", "nginx": "#2f9e44", "uwsgi": "#7048e8",
          "origin": "#868e96"}
PANEL_W, BAR_H, GAP, LABEL_W, COLS = 470, 18, 5, 130, 2


def _fmt_rps(x):
    return "%.1fk" % (x / 1000) if x >= 10000 else "%.0f" % x


def _fmt_ms(us):
    return "%.2f ms" % (us / 1000) if us < 100000 else "%.0f ms" % (us / 1000)


def _panel(row, x, y):
    out = []
    systems = row["systems"]
    top = max((s["rps"] for s in systems), default=1) or 1
    title = "%s  (%s)" % (row["row"], row.get("load") or "wrk -c%d" % row["connections"])
    out.append('<text x="%d" y="%d" class="t">%s</text>' % (x, y + 14, escape(title)))
    bar_w = PANEL_W - LABEL_W - 150
    for i, s in enumerate(systems):
        by = y + 24 + i * (BAR_H + GAP)
        w = max(1.0, bar_w * s["rps"] / top)
        out.append('<text x="%d" y="%d" class="l">%s</text>' % (x, by + 13, escape(s["label"])))
        out.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>' % (
            x + LABEL_W, by, w, BAR_H, COLORS.get(s["kind"], "#495057")))
        label = "%s req/s, p99 %s" % (_fmt_rps(s["rps"]), _fmt_ms(s["p99_us"]))
        if s.get("errors"):
            label += ", %d err" % s["errors"]
        out.append('<text x="%.1f" y="%d" class="v">%s</text>' % (
            x + LABEL_W + w + 4, by + 13, escape(label)))
    return out, 24 + len(systems) * (BAR_H + GAP) + 14


def chart(results):
    rows = [r for r in results["scenarios"] if "systems" in r]
    m = results["machine"]
    body, heights = [], []
    col_y = [50] * COLS
    for i, row in enumerate(rows):
        c = min(range(COLS), key=lambda k: col_y[k])
        x = 10 + c * (PANEL_W + 10)
        parts, h = _panel(row, x, col_y[c])
        body += parts
        col_y[c] += h
    height = max(col_y) + 10
    width = 20 + COLS * (PANEL_W + 10)
    head = ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
            'viewBox="0 0 %d %d" font-family="sans-serif">' % (width, height, width, height))
    style = ('<style>.t{font-size:13px;font-weight:bold}.l{font-size:11px}'
             '.v{font-size:10px;fill:#333}.h{font-size:15px;font-weight:bold}'
             '.s{font-size:11px;fill:#555}</style>')
    title = ('<text x="10" y="20" class="h">Larder vs Varnish, nginx, uWSGI: requests per second '
             '(each panel on its own scale)</text>')
    sub = ('<text x="10" y="38" class="s">%s; %s cores, %s; wrk on the same machine; %d s x %d '
           'interleaved rounds; load before %.2f</text>' % (
               escape(results["started"]), m["nproc"], escape(m.get("cpu", "?")),
               results["duration_s"], results["rounds"], results["load_before"][0]))
    return "\n".join([head, style, '<rect width="100%" height="100%" fill="white"/>', title, sub]
                     + body + ["</svg>"]) + "\n"
