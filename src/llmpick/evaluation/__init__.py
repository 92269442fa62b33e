"""`llmpick eval`: run candidate models on your own cases and report which pass.

The pieces, each usable without the command line:

- ``cases``: read a cases file (JSON Lines or a YAML list) into ``Case`` records;
- ``targets``: read a targets file, or make targets from an exported shortlist;
- ``checks``: the checks an answer must pass (pure functions);
- ``client``: one request to an OpenAI-compatible ``/chat/completions`` endpoint
  (the only module that imports the HTTP client);
- ``runner``: schedules the requests, appends each result as it completes;
- ``results``: the results file (append, read back for ``--resume``);
- ``stats`` and ``report``: the figures per target and the recommendation (pure).

Only ``client`` and ``runner`` touch the network; nothing here imports rich or typer.
"""

from __future__ import annotations
