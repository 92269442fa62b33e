"""The CI gate: whether a run is good enough to pass a build, and its JUnit XML.

``--fail-under RATE`` fails the run (exit 1) when the pick, or each target named with
``--gate``, passes fewer than RATE of its cases; a target that is unreachable or never
ran fails any gate. The JUnit file has one test suite per target and one test case per
case (and repeat), which CI systems (GitHub Actions, GitLab, Jenkins) show as tests.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

# XML 1.0 cannot carry most control characters, even escaped: they are dropped
if TYPE_CHECKING:
    from llmpick.evaluation.report_types import EvalReport, Failure

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def gate_failures(doc: EvalReport, fail_under: float, names: list[str]) -> list[str]:
    """Why the run fails the gate, one line per target; empty when it passes."""
    rows = {r["name"]: r for r in doc["targets"]}
    if names:
        chosen = names
    else:
        rec = doc.get("recommendation")
        if rec is None:
            return [f"no target was picked, so none passes {fail_under:.0%} of the cases"]
        chosen = [rec["target"]]
    out = []
    for name in chosen:
        r = rows[name]
        if r["status"] != "ok" or r["pass_rate"] is None:
            out.append(f"{name} gave no answer ({r['status']}): it cannot pass the gate")
        elif r["pass_rate"] < fail_under:
            out.append(
                f"{name} passed {r['passed']}/{r['total']} ({r['pass_rate']:.0%}), "
                f"under --fail-under {fail_under:.0%}"
            )
    return out


def _x(text: object) -> str:
    return _NOT_XML.sub("", "" if text is None else str(text))


def junit_xml(doc: EvalReport, records: dict[Any, dict[str, Any]]) -> str:
    """JUnit XML for the run: a failure per case not passed (with the answer), an error
    per request with no answer, skipped for requests never sent."""
    import xml.etree.ElementTree as ET

    from llmpick.evaluation.report import case_label

    root = ET.Element("testsuites", name="llmpick eval")
    for r in doc["targets"]:
        name = r["name"]
        mine = sorted(
            (rec for key, rec in records.items() if key[0] == name),
            key=lambda rec: (str(rec.get("case")), rec.get("repeat") or 0),
        )
        failures: dict[tuple[object, object], Failure]
        failures = {(f["case"], f["repeat"]): f for f in r["failures"]}
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_x(name),
            tests=str(r["total"] + r["not_run"]),
            failures=str(r["failed"] + r["empty"]),
            errors=str(r["errors"]),
            skipped=str(r["not_run"]),
        )
        seen = set()
        for rec in mine:
            key = (rec.get("case"), rec.get("repeat"))
            if key in seen:
                continue
            seen.add(key)
            label = case_label(rec, doc["repeat"])
            tc = ET.SubElement(
                suite,
                "testcase",
                classname=_x(f"llmpick.eval.{name}"),
                name=_x(label),
                time=f"{rec.get('latency_s') or 0:.3f}",
            )
            f = failures.get(key)
            outcome = rec.get("outcome")
            if outcome == "pass" or f is None:
                continue
            why = "; ".join(f["why"]) or str(outcome)
            kind = "error" if outcome == "error" else "failure"
            el = ET.SubElement(tc, kind, message=_x(why[:500]), type=_x(outcome))
            el.text = _x(f"expected: {f['expected']}\nanswer: {f['answer']}")
        if r["not_run"]:
            tc = ET.SubElement(
                suite, "testcase", classname=_x(f"llmpick.eval.{name}"), name="not sent"
            )
            ET.SubElement(
                tc, "skipped", message=_x(f"{r['not_run']} requests not sent: {r['stopped']}")
            )
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
