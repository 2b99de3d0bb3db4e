"""`make preview`: the briefing's HTML served on 127.0.0.1, re-rendered when a notebook is
saved, with a reload script only in what is served; no PDF, nothing published."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from test_make_loop import make_project_with_makefile

from riskbrief import preview

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy


def get(url: str) -> str:
    with _LOCAL.open(url, timeout=10) as r:
        return r.read().decode("utf-8")


def wait_for(url: str, predicate, timeout: float, proc: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the preview stopped"
        try:
            last = get(url)
            if predicate(last):
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting on {url}; last answer:\n{last[:2000]}")


def test_reload_script_is_only_in_what_is_served() -> None:
    page = "<html><body><p>x</p></body></html>"
    served = preview.with_reload(page, "v1")
    assert served.index("<script>") < served.index("</body>") and "'v1'" in served
    assert "<script" not in page


def test_make_preview_serves_and_refreshes(tmp_path: Path) -> None:
    root = make_project_with_makefile(tmp_path / "project")
    port = free_port()
    proc = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "-o",
            ".venv/.installed",
            "preview",
            "B=demo",
            f"PORT={port}",
        ],
        cwd=root,
        env={**os.environ, "RISKBRIEF_ROOT": str(root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        first = wait_for(base + "/", lambda t: "The values add up to 8." in t, 240, proc)
        assert "Demo briefing" in first and 'fetch("/version"' in first
        version = get(base + "/version")

        nb_path = root / "notebooks" / "notes.ipynb"
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        nb["cells"][0]["source"] = "## Notes section\n\nA sentence added while previewing."
        nb_path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        t0 = time.monotonic()
        wait_for(base + "/version", lambda v: v != version, 60, proc)
        page = get(base + "/")
        assert "A sentence added while previewing." in page
        assert time.monotonic() - t0 < 60

        # a broken params file shows the build's message on the page; fixing it recovers
        params = root / "params" / "demo.yaml"
        good = params.read_text(encoding="utf-8")
        params.write_text(good.replace("sections: [chart, notes]", "sections: [chart, notse]"))
        wait_for(base + "/", lambda t: "did you mean &#x27;notes&#x27;?" in t, 60, proc)
        params.write_text(good)
        wait_for(base + "/", lambda t: "A sentence added while previewing." in t, 60, proc)
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            out = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out = proc.communicate()[0]
    assert "preview at http://127.0.0.1:" in out
    assert "no section needed running" in out  # the Markdown edit ran nothing
    assert not (root / "reports").exists()  # nothing published
    assert not list((root / "build" / "preview").rglob("*.pdf"))
