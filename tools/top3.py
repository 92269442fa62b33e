"""Print the top 3 (id and score) of each request in a requests file.

    python tools/top3.py tests/scenarios/requests.txt [--top N]

Each line of the file is a letter and `llmpick recommend` arguments; `#` starts
a comment. The output is one line per request, for before/after tables.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys


def main() -> None:
    path = sys.argv[1]
    top = int(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[2] == "--top" else 3
    with open(path, encoding="utf-8") as handle:
        lines = [ln.strip() for ln in handle if ln.strip() and not ln.startswith("#")]
    for line in lines:
        letter, *args = shlex.split(line)
        done = subprocess.run(
            [sys.executable, "-m", "llmpick", "recommend", "--no-input", "--json", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        try:
            doc = json.loads(done.stdout)
        except json.JSONDecodeError:
            print(f"{letter}: error {done.stderr.strip()[:100]}")
            continue
        picks = [f"{c['id']} {c['score']}" for c in doc["candidates"][:top]]
        print(f"{letter}: " + ", ".join(picks) if picks else f"{letter}: (empty)")


if __name__ == "__main__":
    main()
