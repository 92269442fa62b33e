"""`eval --export report.html`: one self-contained file, nothing fetched, every text from
a case or a server escaped, rendered by a real headless browser (Debian's chromium;
skipped with a reason where none is installed) that draws the charts without any text
overflowing its box."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from llmpick.evaluation.cases import Case
from llmpick.evaluation.html import LABEL_CHARS, latency_chart, pass_rate_chart, report_html
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


_PAGES: list[str] = []


@pytest.fixture
def page() -> str:
    """The report of one run of ``_doc`` against its own scripted server, made at the
    first test that asks, under its isolated environment, then kept: the tests only read
    it (an eval run each cost about 0.2 s)."""
    if not _PAGES:
        server = FakeOpenAI().start()
        try:
            _PAGES.append(report_html(_doc(server)))
        finally:
            server.stop()
    return _PAGES[0]


def _texts(svg: str | None) -> list[str]:
    assert svg is not None
    return [html.unescape(t) for t in re.findall(r">([^<>]+)</text>", svg)]


def test_chart_labels_are_short_names_and_whole_prices() -> None:
    # pygal leaves the labels beside a horizontal bar whole: a long target name took the
    # plot's width (at 125 characters no bar was drawn, and rendering grew past 6 GB);
    # and the price axis cut "$0.002" to "$0.00…"
    long = "a-model-with-a-long-name-" + "x" * 35
    rows: list[Any] = [
        {
            "name": name,
            "latency_s": {"p50": 0.007, "p95": 0.024},
            "pass_rate": 0.6,
            "pass_rate_interval": (0.3, 0.9),
            "cost_per_answer_usd": cost,
        }
        for name, cost in ((long, 0.000032), ("small", 0.0000019))
    ]
    latency = _texts(latency_chart(rows))
    names = [t for t in latency if t.startswith("a-model")]
    assert names == [long[: LABEL_CHARS - 1] + "…"]
    ticks = [t for t in latency if t.endswith(" s")]
    assert len(ticks) >= 4 and len(set(ticks)) == len(ticks), ticks  # no "0.00 s" twice
    prices = [t for t in _texts(pass_rate_chart(rows)) if t.startswith("$")]
    assert len(prices) >= 4 and not any("…" in p for p in prices), prices


def test_the_report_is_self_contained_and_escaped(page: str) -> None:
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


# runs ARGV[3:] with descriptors ARGV[1] and ARGV[2] as 3 and 4 (a POSIX shell cannot
# name a descriptor above 9)
_AT_3_AND_4 = """
import os, sys
os.dup2(int(sys.argv[1]), 3)
os.dup2(int(sys.argv[2]), 4)
for fd in map(int, sys.argv[1:3]):
    os.close(fd)
os.execv(sys.argv[3], sys.argv[3:])
"""


class Browser:
    """One headless chromium, driven over its DevTools pipe (``--remote-debugging-pipe``:
    commands in on descriptor 3, answers out on 4, each a JSON text ended by a NUL), so
    that the measured page and the screenshot at every width share one browser start
    instead of costing one each (about 0.7 s of CPU and 1.2 s a start). Every wait has
    a deadline: a browser that stops answering fails the test, it does not block it."""

    def __init__(self, path: str, home: Path) -> None:
        import fcntl

        commands, self._to = os.pipe()
        self._from, answers = os.pipe()
        # moved out of the way of 3 and 4, where a small launcher puts them for chromium
        there = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (commands, answers)]
        for fd in (commands, answers):
            os.close(fd)
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            f"--user-data-dir={home / 'profile'}",
            "--remote-debugging-pipe",
        ]
        self._log = (home / "chromium.log").open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-S", "-c", _AT_3_AND_4, *map(str, there), path, *flags],
            pass_fds=there, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self._log, env={**os.environ, "HOME": str(home)},
        )  # fmt: skip
        for fd in there:
            os.close(fd)
        self.home = home
        self._sent = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []

    def _read(self, deadline: float) -> dict[str, Any]:
        import json
        import select
        import time

        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            assert left > 0 and select.select([self._from], [], [], left)[0], self.said("no answer")
            chunk = os.read(self._from, 1 << 20)
            assert chunk, self.said("the browser ended")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        found: dict[str, Any] = json.loads(message)
        return found

    def said(self, what: str) -> str:
        """``what``, and the end of what the browser wrote on stderr, for a failure."""
        log = self.home / "chromium.log"
        return f"{what}; chromium's stderr ends:\n{log.read_text(errors='replace')[-2000:]}"

    def send(
        self, method: str, session: str | None = None, wait: float = 60, **params: Any
    ) -> dict[str, Any]:
        """A command's result (on a page when ``session`` is given); events that come
        meanwhile are kept for ``wait_for``."""
        import json
        import time

        self._sent += 1
        message = {"id": self._sent, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + wait
        while True:
            got = self._read(deadline)
            if got.get("id") == self._sent:
                assert "error" not in got, (method, got["error"])
                result: dict[str, Any] = got["result"]
                return result
            self._events.append(got)

    def wait_for(self, event: str, session: str) -> None:
        import time

        deadline = time.monotonic() + 60
        while True:
            for i, got in enumerate(self._events):
                if got.get("method") == event and got.get("sessionId") == session:
                    del self._events[: i + 1]
                    return
            self._events.append(self._read(deadline))

    def open(self, width: int, height: int) -> str:
        """A new page whose window is ``width`` x ``height``: its session."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = str(
            self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        )
        self.send("Page.enable", session)
        self.send(
            "Emulation.setDeviceMetricsOverride", session,
            width=width, height=height, deviceScaleFactor=1, mobile=False,
        )  # fmt: skip
        return session

    def load(self, session: str, url: str) -> None:
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session)

    def close(self) -> None:
        try:
            self.send("Browser.close", wait=5)
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to)
        os.close(self._from)
        self._log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless chromium for the module's pages."""
    path = _browser()
    assert path is not None
    started = Browser(path, tmp_path_factory.mktemp("browser"))
    try:
        yield started
    finally:
        started.close()


# the value the probe sets, once the page's load handler has run
PROBED = """new Promise(done => {
  const look = () => {
    const probe = document.getElementById('probe');
    probe ? done(probe.textContent) : setTimeout(look, 10);
  };
  look();
})"""


@pytest.mark.slow  # a real headless chromium renders the report
@pytest.mark.skipif(_browser() is None, reason="no chromium installed (.ci/run installs it)")
@pytest.mark.parametrize("width", [500, 1000])
def test_a_real_browser_draws_the_charts_and_no_text_overflows(
    page: str, tmp_path: Path, width: int, browser: Browser
) -> None:
    import base64
    import json

    report = tmp_path / "report.html"
    report.write_text(page)
    # the probe needs a script, which the report's own policy forbids: a test copy
    probe = tmp_path / "probe.html"
    probe.write_text(
        re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page).replace(
            "</body>", PROBE + "</body>"
        )
    )
    session = browser.open(width, 1400)
    browser.load(session, probe.as_uri())
    measured = browser.send(
        "Runtime.evaluate", session, expression=PROBED, awaitPromise=True, returnByValue=True
    )
    found = json.loads(measured["result"]["value"])
    assert found["over"] == [], found
    assert found["vw"] == width  # the page was laid out at the width asked
    assert found["dots"] == 9  # 3 targets placed, each its interval's ends and its rate
    assert found["bars"] == 6  # p50 and p95 for each of the 3 that answered
    assert found["h"] > 150 and found["w"] > width * 0.6
    shot = tmp_path / f"report-{width}.png"
    browser.load(session, report.as_uri())  # the report itself, under its own policy
    shot.write_bytes(base64.b64decode(browser.send("Page.captureScreenshot", session)["data"]))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    keep = os.environ.get("LLMPICK_SCREENSHOTS")
    if keep:  # e.g. LLMPICK_SCREENSHOTS=/tmp/shots: keep them to look at
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / shot.name)
