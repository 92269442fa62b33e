"""`eval --export report.html`: one self-contained file, nothing fetched, every text from
a case or a server escaped, rendered by a real headless browser (Debian's chromium;
skipped with a reason where none is installed) that draws the charts without any text
overflowing its box."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from llmpick.evaluation.cases import Case
from llmpick.evaluation.html import report_html
from llmpick.evaluation.targets import TargetSpec, resolve_target
from tests.eval.fake_openai import FakeOpenAI
from tests.eval.test_eval_honest import _nowhere, go, tgt

HOSTILE = "<script>alert(1)</script></pre><img src=x onerror=alert(2)>\x1b[31m"


def _doc(server: FakeOpenAI) -> dict[str, Any]:
    cases = [
        Case.model_validate(
            {
                "id": f"case-{i}",
                "prompt": f"q{i} <<{'a' if i % 3 else 'b ' + HOSTILE + ' ' + 'x' * 300}>>",
                "expect": {"equals": "a"},
            }
        )
        for i in range(9)
    ]
    targets = [
        tgt(server, "right", name="a-model-with-a-long-name-" + "x" * 90,
            prices={"input": 2.5, "output": 10}),
        tgt(server, "stream", name="small", prices={"input": 0.15, "output": 0.6}),
        tgt(server, "wrong", name=HOSTILE, prices={"input": 0.05, "output": 0.1}),
        resolve_target(
            TargetSpec(base_url="http://127.0.0.1:9/v1", served_as="x", name="dead"),
            None,
            _nowhere,
        ),
    ]  # fmt: skip
    return go(targets, cases, max_failures=2)[1]


def test_the_report_is_self_contained_and_escaped(server: FakeOpenAI) -> None:
    page = report_html(_doc(server))
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;" in page and "\x1b" not in page
    # nothing to fetch: no tag with a src or href, and a policy that forbids loading
    assert not re.search(r"<[a-z][^>]*\s(src|href)\s*=", page, re.IGNORECASE)
    assert "default-src 'none'" in page
    assert page.count("<svg") == 2  # the two charts, inline
    assert "dead" in page.split("Unreachable")[1]  # listed apart ...
    chart = page.split('id="pass-rate-chart"')[1].split("</figure>")[0]
    assert ">dead<" not in chart  # ... and not on the chart


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


# measures the page in the browser: the charts drawn (their dots and bars have a size)
# and every text box holding its text (no element wider inside than its box)
PROBE = """
<script>
window.addEventListener('load', () => {
  const over = [];
  for (const el of document.querySelectorAll('main *:not(svg):not(svg *)')) {
    const scrolls = ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
    if (el.scrollWidth > el.clientWidth + 1 && !scrolls && el.clientWidth > 0)
      over.push(el.tagName + ':' + el.textContent.slice(0, 40));
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) over.push('page');
  const dots = [...document.querySelectorAll('#pass-rate-chart svg .dot')]
    .filter(d => d.getBoundingClientRect().width > 0).length;
  const bars = [...document.querySelectorAll('#latency-chart svg .rect')]
    .filter(b => b.getBoundingClientRect().width > 0).length;
  const box = document.querySelector('#pass-rate-chart svg').getBoundingClientRect();
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify(
    {over, dots, bars, h: box.height, w: box.width, vw: window.innerWidth});
  document.body.appendChild(out);
});
</script>
"""


@pytest.mark.slow  # a real headless chromium renders the report
@pytest.mark.skipif(_browser() is None, reason="no chromium installed (.ci/run installs it)")
@pytest.mark.parametrize("width", [500, 1000])  # headless chromium is 500 at least
def test_a_real_browser_draws_the_charts_and_no_text_overflows(
    server: FakeOpenAI, tmp_path: Path, width: int
) -> None:
    import json

    browser = _browser()
    assert browser is not None
    page = report_html(_doc(server))
    report = tmp_path / "report.html"
    report.write_text(page)
    # the probe needs a script, which the report's own policy forbids: a test copy
    probe = tmp_path / "probe.html"
    probe.write_text(
        re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page).replace(
            "</body>", PROBE + "</body>"
        )
    )
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={width},1400",
    ]
    env = {**os.environ, "HOME": str(tmp_path)}
    dom = subprocess.run(
        [browser, *flags, "--virtual-time-budget=3000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    m = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.DOTALL)
    assert m, dom.stderr[-2000:]
    found = json.loads(m.group(1).replace("&quot;", '"'))
    assert found["over"] == [], found
    assert found["vw"] == width  # the page was laid out at the width asked
    assert found["dots"] == 9  # 3 targets placed, each its interval's ends and its rate
    assert found["bars"] == 6  # p50 and p95 for each of the 3 that answered
    assert found["h"] > 150 and found["w"] > width * 0.6
    shot = tmp_path / f"report-{width}.png"
    subprocess.run(
        [browser, *flags, f"--screenshot={shot}", report.as_uri()],
        capture_output=True, timeout=120, env=env,
    )  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    keep = os.environ.get("LLMPICK_SCREENSHOTS")
    if keep:  # e.g. LLMPICK_SCREENSHOTS=/tmp/shots: keep them to look at
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
