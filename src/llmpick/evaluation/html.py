"""The eval report as one self-contained HTML file (``--export report.html``).

No network: the charts are SVG drawn by pygal (a charting library that renders SVG
on the server side) and inlined, with its tooltip script left out; the styles are
inline. Two charts: pass rate with its 95% interval against cost per 1,000 cases, and
latency per target (p50 and p95). Then the table, the targets that never answered,
and every case not passed with what was expected and what came back. Every text from
a case, a target or a server is escaped (``html.escape`` after ``safetext.clean``).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from llmpick.evaluation.report import case_label, clip, failure_outcome
from llmpick.safetext import clean
from llmpick.units import format_usd

if TYPE_CHECKING:
    from llmpick.evaluation.report_types import (
        EvalReport,
        Recommendation,
        TargetRow,
        Unreachable,
    )

MAX_FAILURES_SHOWN = 200

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;
color:#1d2329;background:#fff}
main{max-width:980px;margin:0 auto;padding:24px 16px;overflow-wrap:anywhere}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px}
h3{font-size:16px;margin:18px 0 6px}
.meta{color:#5b6670;margin:0 0 16px}
table{border-collapse:collapse;width:100%;margin:8px 0}
table.failures{table-layout:fixed}
table.targets td:first-child{min-width:10em}
.scroll{overflow-x:auto}
th,td{border-bottom:1px solid #dde2e6;padding:5px 6px;text-align:left;vertical-align:top;
overflow-wrap:anywhere}
th{background:#f4f6f8;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.pick{background:#e8f5e9;border-left:4px solid #2e7d32;padding:8px 12px;margin:12px 0}
.warn{background:#fff8e1;border-left:4px solid #f9a825;padding:8px 12px;margin:12px 0}
.chart{margin:8px 0;max-width:100%}
.chart svg{width:100%;height:auto;display:block}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font:13px/1.35 ui-monospace,
Menlo,Consolas,monospace}
ul{padding-left:20px}
"""


def _e(text: object) -> str:
    return html.escape(clean("" if text is None else str(text)))


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def _secs(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f} s"


LABEL_CHARS = 30


def _label(name: str) -> str:
    """A target's name as a chart labels it: at most LABEL_CHARS characters."""
    return clip(clean(name), LABEL_CHARS) or ""


def per_1000(row: TargetRow) -> float | None:
    """Cost per 1,000 cases at the measured cost per answer."""
    c = row.get("cost_per_answer_usd")
    return None if c is None else c * 1000


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


def _svg(chart: Any) -> str:
    """The chart's SVG without pygal's configuration script (for its tooltips): the
    report runs no script. pygal escapes ``<`` in text, so no text can end it early."""
    return _SCRIPT.sub("", str(chart.render(is_unicode=True)))


def _style() -> Any:
    from pygal.style import Style

    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        font_family="system-ui, sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        value_font_size=11,
        title_font_size=14,
        legend_font_size=12,
    )


def pass_rate_chart(rows: list[TargetRow]) -> str | None:
    """Each target a vertical segment (its 95% interval) with a dot at its pass rate,
    placed at its cost per 1,000 cases. None when no target has a known cost."""
    import pygal

    placed = [
        (r, x, rate, iv)
        for r in rows
        if (x := per_1000(r)) is not None
        and (rate := r["pass_rate"]) is not None
        and (iv := r["pass_rate_interval"]) is not None
    ]
    if not placed:
        return None
    chart = pygal.XY(
        js=[],
        disable_xml_declaration=True,
        style=_style(),
        width=900,
        height=420,
        range=(0, 100),
        show_y_guides=True,
        dots_size=4,
        stroke_style={"width": 3},
        x_title="cost per 1,000 cases (USD)",
        y_title="pass rate (%) with its 95% interval",
        legend_at_bottom=True,
        truncate_legend=40,
        truncate_label=-1,  # a price is never cut short ("$0.00…" for $0.002)
        x_labels_major_count=8,
        show_minor_x_labels=False,
        print_values=False,
        value_formatter=lambda y: f"{y:.0f}%",
        x_value_formatter=lambda x: format_usd(x),
    )
    for r, x, rate, (lo, hi) in placed:
        end = {"r": 2}  # the interval's ends small, the pass rate itself large
        chart.add(
            clean(r["name"]),
            [
                {"value": (x, lo * 100), "node": end},
                {"value": (x, rate * 100), "node": {"r": 6}},
                {"value": (x, hi * 100), "node": end},
            ],
        )
    return _svg(chart)


def latency_chart(rows: list[TargetRow]) -> str | None:
    import pygal

    timed = [r for r in rows if r["latency_s"]["p50"] is not None]
    if not timed:
        return None
    chart = pygal.HorizontalBar(
        js=[],
        disable_xml_declaration=True,
        style=_style(),
        width=900,
        height=max(200, 70 + 46 * len(timed)),
        x_title="seconds per answer",
        truncate_label=LABEL_CHARS,  # the seconds on the axis, left whole (auto cut "0.005 s")
        legend_at_bottom=True,
        value_formatter=lambda s: f"{s:.3g} s",  # .2f gave an axis of 0.00 s, 0.00 s, 0.01 s, ...
    )
    # pygal does not shorten the labels beside a horizontal bar, and a long one took the
    # plot's whole width (a 125-character target name drew no bars and made pygal's
    # renderer grow past 6 GB): they are cut here, as the legend's are
    chart.x_labels = [_label(r["name"]) for r in timed]
    chart.add("p50", [r["latency_s"]["p50"] for r in timed])
    chart.add("p95", [r["latency_s"]["p95"] for r in timed])
    return _svg(chart)


def report_html(doc: EvalReport) -> str:
    """The whole report: one HTML document, nothing fetched."""
    rows = [r for r in doc["targets"] if r["status"] == "ok"]
    out: list[str] = [
        *_head(doc),
        _pick(doc["recommendation"]),
        "<h2>Pass rate against cost</h2>",
        *_cost_chart(rows),
        *_targets_table(rows),
        *_unreachable(doc["unreachable"]),
        *_latency(rows),
        *_failures(rows, doc["repeat"]),
        *_notes([*(f"{r['name']}: {n}" for r in rows for n in r["notes"]), *doc["notes"]]),
        "</main></body></html>\n",
    ]
    return "\n".join(out)


def _head(doc: EvalReport) -> list[str]:
    return [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # nothing may load from anywhere: the file must work offline, and a hostile
        # answer must not be able to fetch or run anything
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">",
        "<title>llmpick eval report</title>",
        f"<style>{_CSS}</style></head><body><main>",
        "<h1>llmpick eval report</h1>",
        f'<p class="meta">{doc["cases"]["count"]} cases from {_e(doc["cases"]["file"])}'
        + (f", each asked {doc['repeat']} times" if doc["repeat"] > 1 else "")
        + f"; {_e(doc['generated_by'])}.</p>",
    ]


def _pick(rec: Recommendation | None) -> str:
    if rec:
        return (
            f'<div class="pick"><strong>Pick: {_e(rec["target"])}</strong> — {_e(rec["why"])}.'
            "</div>"
        )
    return '<div class="warn"><strong>No pick</strong>: no target passed any case.</div>'


def _cost_chart(rows: list[TargetRow]) -> list[str]:
    """The pass-rate chart, and the targets it cannot place."""
    out = []
    chart = pass_rate_chart(rows)
    if chart:
        out.append(f'<figure class="chart" id="pass-rate-chart">{chart}</figure>')
    unpriced = [r["name"] for r in rows if per_1000(r) is None]
    if unpriced:
        out.append(
            "<p>Not on the chart (no known price, or no token usage in the replies): "
            + ", ".join(_e(n) for n in unpriced)
            + ".</p>"
        )
    return out


def _targets_table(rows: list[TargetRow]) -> list[str]:
    out = [
        '<div class="scroll"><table class="targets"><thead><tr><th>target</th>'
        "<th class=n>passed</th><th class=n>pass rate [95%]</th><th class=n>empty</th>"
        "<th class=n>errors</th><th class=n>latency p50 / p95</th>"
        "<th class=n>cost per 1,000 cases</th></tr></thead><tbody>"
    ]
    for r in rows:
        iv = r["pass_rate_interval"]
        rate = _pct(r["pass_rate"]) + (f" [{_pct(iv[0])}–{_pct(iv[1])}]" if iv else "")
        cost = format_usd(per_1000(r)) + (" (self-hosted)" if r["self_hosted"] else "")
        out.append(
            f"<tr><td>{_e(r['name'])}</td><td class=n>{r['passed']}/{r['total']}</td>"
            f"<td class=n>{rate}</td><td class=n>{r['empty']}</td><td class=n>{r['errors']}"
            f"</td><td class=n>{_secs(r['latency_s']['p50'])} / "
            f"{_secs(r['latency_s']['p95'])}</td><td class=n>{_e(cost)}</td></tr>"
        )
    out.append("</tbody></table></div>")
    return out


def _unreachable(unreachable: list[Unreachable]) -> list[str]:
    if not unreachable:
        return []
    return [
        "<h2>Unreachable</h2><p>No answer at all; left out of the pick and the chart.</p><ul>",
        *(f"<li>{_e(u['name'])}: {_e(u['why'])}</li>" for u in unreachable),
        "</ul>",
    ]


def _latency(rows: list[TargetRow]) -> list[str]:
    latency = latency_chart(rows)
    if not latency:
        return []
    return [
        "<h2>Latency per target</h2>",
        f'<figure class="chart" id="latency-chart">{latency}</figure>',
    ]


def _failures(rows: list[TargetRow], repeat: int) -> list[str]:
    """Per target, the cases not passed (the first MAX_FAILURES_SHOWN)."""
    failing = [r for r in rows if r["failures"]]
    out = ["<h2>Cases not passed</h2>"] if failing else []
    for r in failing:
        out += [
            f"<h3>{_e(r['name'])}: {len(r['failures'])} not passed</h3>",
            '<table class="failures"><colgroup><col style="width:14%"><col style="width:10%">'
            '<col style="width:24%"><col style="width:28%"><col style="width:24%"></colgroup>'
            "<thead><tr><th>case</th><th>outcome</th><th>expected</th><th>answer</th>"
            "<th>why</th></tr></thead><tbody>",
        ]
        for f in r["failures"][:MAX_FAILURES_SHOWN]:
            out.append(
                f"<tr><td>{_e(case_label(f, repeat))}</td><td>{_e(failure_outcome(f))}</td>"
                f"<td><pre>{_e(f['expected'])}</pre></td><td><pre>{_e(f['answer'])}</pre></td>"
                f"<td>{_e('; '.join(f['why']))}</td></tr>"
            )
        out.append("</tbody></table>")
        if len(r["failures"]) > MAX_FAILURES_SHOWN:
            out.append(f"<p>{len(r['failures']) - MAX_FAILURES_SHOWN} more in the JSON report.</p>")
    return out


def _notes(notes: list[str]) -> list[str]:
    if not notes:
        return []
    return ["<h2>Notes</h2><ul>", *(f"<li>{_e(n)}</li>" for n in notes), "</ul>"]
