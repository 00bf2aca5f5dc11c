"""buildctl's rawjson progress → log lines that name their step."""

from __future__ import annotations

import base64
import json

from kiln.engines.buildkit.progress import ProgressLog

RUN = "sha256:" + "1" * 64
LOAD = "sha256:" + "2" * 64


def status(**parts: object) -> str:
    return json.dumps(parts)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_steps_are_numbered_and_their_output_carries_the_step_name() -> None:
    lines: list[str] = []
    started: list[str] = []
    progress = ProgressLog(lines.append, on_step=started.append)
    t0, t1 = "2026-11-23T14:00:00.123456789Z", "2026-11-23T14:00:02.623456789Z"
    progress.feed(status(vertexes=[{"digest": LOAD, "name": "[internal] load build definition"}]))
    progress.feed(status(vertexes=[{"digest": LOAD, "name": "[internal] load build definition",
                                    "started": t0, "completed": t0, "cached": True}]))  # fmt: skip
    progress.feed(
        status(vertexes=[{"digest": RUN, "name": "[build 3/5] RUN npm ci", "started": t0}])
    )
    progress.feed(status(logs=[{"vertex": RUN, "stream": 1, "data": b64("added 57 pack")}]))
    progress.feed(status(logs=[{"vertex": RUN, "stream": 1, "data": b64("ages\r\nok\n")}]))
    progress.feed(status(vertexes=[{"digest": RUN, "name": "[build 3/5] RUN npm ci",
                                    "started": t0, "completed": t1}]))  # fmt: skip
    progress.feed("error: failed to solve: something")
    progress.close()
    assert lines == [
        "#1 [internal] load build definition",
        "#1 CACHED [internal] load build definition",
        "#2 [build 3/5] RUN npm ci",
        "#2 [build 3/5] added 57 packages",
        "#2 [build 3/5] ok",
        "#2 DONE [build 3/5] 2.5s",
        "error: failed to solve: something",
    ]
    assert started == ["[internal] load build definition", "[build 3/5] RUN npm ci"]


def test_a_failed_step_is_remembered_with_its_name() -> None:
    lines: list[str] = []
    progress = ProgressLog(lines.append)
    error = 'process "/bin/sh -c npm ci" did not complete successfully: exit code: 1'
    progress.feed(status(vertexes=[{"digest": RUN, "name": "[build 3/5] RUN npm ci",
                                    "started": "x", "error": error}]))  # fmt: skip
    progress.feed(status(logs=[{"vertex": RUN, "data": b64("npm ERR! missing lockfile")}]))
    progress.close()
    assert progress.failed == [f"[build 3/5] RUN npm ci: {error}"]
    assert f"#1 ERROR: {error}" in lines
    assert "#1 [build 3/5] npm ERR! missing lockfile" in lines


def test_lines_that_are_not_json_pass_through() -> None:
    lines: list[str] = []
    progress = ProgressLog(lines.append)
    for line in ("plain text", "{not json", "[1, 2]"):
        progress.feed(line)
    assert lines == ["plain text", "{not json", "[1, 2]"]


def test_a_missing_registry_cache_is_not_a_failed_step() -> None:
    lines: list[str] = []
    progress = ProgressLog(lines.append)
    name = "importing cache manifest from registry.test/ws/app:buildcache"
    error = "failed to configure registry cache importer: not found"
    progress.feed(status(vertexes=[{"digest": RUN, "name": name, "started": "x", "error": error}]))
    assert progress.failed == []
    assert (
        lines[-1]
        == "#1 no usable registry cache: failed to configure registry cache importer: not found"
    )
