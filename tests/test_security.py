"""Nothing leaves the machine, nothing runs that should not.

- The PDF renderer's URL fetcher refuses every URL outside the build directory: network
  addresses and other local files are neither fetched nor embedded.
- Text from data is escaped: a risk titled ``<script>alert(1)</script>`` reads as that text.
- A build needs no network: with every non-loopback connection refused, it still succeeds,
  and nothing tried to connect.
"""

from __future__ import annotations

import http.server
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from projects import run_here
from pypdf import PdfReader

from riskbrief.render import _url_fetcher, html_to_pdf

REPO = Path(__file__).parents[1]


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    """A web server on loopback that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/svg+xml")
            self.end_headers()
            self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", hits
    httpd.shutdown()
    httpd.server_close()


def test_fetcher_refuses_network_and_files_outside_the_build_dir(tmp_path: Path, server) -> None:
    base, hits = server
    inside = tmp_path / "chart.svg"
    inside.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    fetcher = _url_fetcher(tmp_path)
    for url in (
        f"{base}/x.png",
        "file:///etc/passwd",
        f"file://{tmp_path.parent}/other.txt",
        "ftp://example.org/x",
    ):
        with pytest.raises(ValueError, match="does not fetch"):
            fetcher.fetch(url)
    assert fetcher.fetch(inside.as_uri()) is not None
    assert hits == []


def test_pdf_embeds_nothing_from_outside(
    tmp_path: Path, server, caplog: pytest.LogCaptureFixture
) -> None:
    base, hits = server
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    out = tmp_path / "out"
    out.mkdir()
    html = f"""<!DOCTYPE html><html><head><link rel="stylesheet" href="{base}/style.css">
    <style>@import url("{base}/more.css"); body {{ background: url("{base}/bg.png") }}</style></head>
    <body><p>Body text</p><img src="{base}/x.svg" alt="remote"><img src="file:///etc/passwd" alt="passwd">
    <object data="{secret.as_uri()}"></object><iframe src="{secret.as_uri()}"></iframe>
    <img src="{secret.as_uri()}" alt="secret"></body></html>"""
    html_to_pdf(html, out / "doc.pdf", base_dir=out, identifier="test")
    assert hits == []
    data = (out / "doc.pdf").read_bytes()
    text = "".join(p.extract_text() or "" for p in PdfReader(out / "doc.pdf").pages)
    assert "Body text" in text
    assert b"TOP-SECRET-CONTENT" not in data and "TOP-SECRET" not in text and "root:" not in text


def external_references(html: str) -> list[tuple[str, str]]:
    """(tag, url) for every attribute of every element that points outside the document."""
    found: list[tuple[str, str]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in {"src", "href", "data", "srcset", "poster", "action"} and value:
                    if re.match(r"\s*(https?:|file:|ftp:|//)", value, re.I):
                        found.append((tag, value))

    Parser().feed(html)
    return found


NO_NETWORK = """
import socket, os
_connect = socket.socket.connect
def _guard(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in ("127.0.0.1", "::1", "localhost"):
        with open(os.environ["NETWORK_ATTEMPTS"], "a") as f:
            f.write(repr(address) + "\\n")
        raise OSError("network access is blocked in this test")
    return _connect(self, address)
socket.socket.connect = _guard
"""

PARAMS = """\
title: "Escaping"
as_of: 2026-01-01
audience: "Tests"
classification: DRAFT
sections: [risk_summary]
seed: 5
risk:
  draws: 100
"""


def test_data_text_is_escaped_and_nothing_is_fetched(
    tmp_path: Path, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, hits = server
    root = tmp_path / "project"
    shutil.copytree(REPO / "data", root / "data")
    (root / "notebooks").mkdir(parents=True)
    shutil.copyfile(
        REPO / "notebooks" / "risk_summary.ipynb", root / "notebooks" / "risk_summary.ipynb"
    )
    (root / "params").mkdir()
    (root / "params" / "esc.yaml").write_text(PARAMS, encoding="utf-8")
    register = root / "data" / "risk_register.csv"
    text = register.read_text(encoding="utf-8")
    text = text.replace("Adversarial attacks on deployed models", "<script>alert(1)</script>", 1)
    evil = f'"<img src=""{base}/tracker.png""> <img src=""file:///etc/passwd"">"'
    text = text.replace("R02,Unpredictable failures in deployment,", f"R02,{evil},", 1)
    register.write_text(text, encoding="utf-8")
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NO_NETWORK)
    attempts = tmp_path / "attempts.txt"
    monkeypatch.setenv("PYTHONPATH", str(guard))
    monkeypatch.setenv("NETWORK_ATTEMPTS", str(attempts))

    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import socket; socket.create_connection(('192.0.2.1', 80), timeout=5)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "network access is blocked" in probe.stderr, "the guard is in effect"
    attempts.unlink()

    run_here(root, "build", "esc", check=True)

    assert not attempts.exists(), attempts.read_text()
    assert hits == []
    v1 = root / "reports" / "esc" / "v1"
    html = (v1 / "esc-v1.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html.lower()
    assert f'&lt;img src="{base}/tracker.png"&gt;' in html or f"&lt;img src=&quot;{base}" in html
    assert [
        t for t, _ in external_references(html) if t in {"img", "script", "link", "iframe"}
    ] == []
    # the only outside addresses are plain hyperlinks to cited sources, never loaded
    assert {t for t, _ in external_references(html)} <= {"a"}
    pdf_text = "".join(p.extract_text() or "" for p in PdfReader(v1 / "esc-v1.pdf").pages)
    assert "<script>alert(1)</script>" in re.sub(r"\s+", "", pdf_text)
