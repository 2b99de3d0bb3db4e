"""Live preview: a briefing's HTML served on 127.0.0.1 and re-rendered as its inputs change.

``riskbrief preview NAME`` (``make preview B=NAME``) checks and plans the briefing as a build
does, runs its sections through the section cache (:mod:`riskbrief.cache`, shared with
``make briefings``: sections whose inputs did not change since any build are not run again),
assembles the document with "what changed" against the latest published version, and renders
the HTML only — no PDF, no version, nothing in ``reports/``. Its work files are in
``build/preview/<name>/``.

It then watches the briefing's params file, data, notebooks, the assumptions log and the
package (watchfiles) and renders again on every save, re-running only the sections whose
inputs changed (an edit to a Markdown cell runs nothing). The served page polls ``/version``
and reloads itself when a new rendering is ready; that small script is added to the page as
it is served, never to a file (a published briefing has no script). A change to the package
restarts the preview, so the new code is what runs. Bad input shows the build's message on the
page and in the terminal, and the preview waits for the next save.
"""

from __future__ import annotations

import html
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from riskbrief.errors import RiskbriefError
from riskbrief.paths import PACKAGE_DIR, Project, display_path

POLL_MS = 500
_RELOAD_SCRIPT = """<script>
(function () {{
  var seen = {version!r};
  function poll() {{
    fetch("/version", {{cache: "no-store"}}).then(function (r) {{ return r.text(); }})
      .then(function (v) {{ if (v !== seen) {{ location.reload(); }} }})
      .catch(function () {{}})
      .finally(function () {{ setTimeout(poll, {poll}); }});
  }}
  setTimeout(poll, {poll});
}})();
</script>"""


@dataclass
class Page:
    """What the server shows: the latest rendering (or the latest problem) and its token."""

    html: str = ""
    version: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, text: str) -> None:
        with self.lock:
            self.html = text
            self.version = f"{os.getpid()}-{time.monotonic_ns()}"

    def get(self) -> tuple[str, str]:
        with self.lock:
            return self.html, self.version


def with_reload(page: str, version: str) -> str:
    """The page as served: the reload script before ``</body>`` (or at the end)."""
    script = _RELOAD_SCRIPT.format(version=version, poll=POLL_MS)
    i = page.rfind("</body>")
    return page[:i] + script + page[i:] if i >= 0 else page + script


def message_page(title: str, text: str) -> str:
    """A plain page for a problem or for the first rendering in progress."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
        "pre{white-space:pre-wrap;background:#f4f6f8;padding:1rem;border-left:4px solid #b00}"
        "</style></head><body>"
        f"<h1>{html.escape(title)}</h1><pre>{html.escape(text)}</pre></body></html>"
    )


# --- one rendering -------------------------------------------------------------------------------


@dataclass
class Rendering:
    html: str
    #: sections run this time (the others came from the cache)
    executed: list[str]
    #: project-relative names of the files the briefing reads (what the watcher looks at)
    inputs: set[Path]
    seconds: float


def render_once(name: str, project: Project, build_dir: Path) -> Rendering:
    """Check, plan, run (through the section cache), assemble and render the HTML of one
    briefing into ``build_dir/preview/<name>/``. Raises RiskbriefError for bad input or a
    failed notebook, as a build does."""
    import nbformat

    from riskbrief import (
        build,
        execute,
        inputs,
        provenance,
        publish,
        render,
        sections,
    )
    from riskbrief.results import read_results

    t0 = time.perf_counter()
    briefing = sections.load(name, project)
    steps = sections.plan(briefing)
    for step in steps:
        execute.check_parameters(step)
    execute.python_kernel_ok()
    work = build_dir / "preview" / briefing.name
    sec_dir = work / "sections"
    executed, ran = execute.run_all(
        steps,
        sec_dir,
        work / "failed",
        build_dir / "cache",
        cell_timeout=briefing.params.execution.cell_timeout,
        briefing=briefing.name,
    )
    results = {s.section.name: read_results(sec_dir / s.results_name) for s in steps}

    bdir = project.reports_dir / briefing.name
    prev = publish.latest(bdir)
    hashed = inputs.hashed_inputs(briefing)
    manifest = provenance.Manifest(
        briefing=briefing.name,
        version=(prev or 0) + 1,
        supersedes=prev,
        built_at=provenance.iso(provenance.build_time()),
        fingerprint=inputs.fingerprint(hashed, "nbconvert"),
        inputs=hashed,
        git=provenance.git_state(project.root),
        python=provenance.python_version(),
        packages=provenance.package_versions(),
        renderer={"name": "nbconvert", "version": "preview (HTML only)"},
        parameters=briefing.params.model_dump(mode="json"),
    )
    doc, _ = build.document(
        briefing,
        steps,
        executed,
        results,
        manifest,
        inputs.snapshot_inputs(briefing),
        bdir,
        rows=build.load_assumptions_log(project),
        terms=build.load_glossary(project, briefing),
        source=build.load_source_article(project),
    )
    nbformat.write(doc, work / f"{briefing.name}-preview.ipynb")
    page = render.notebook_to_html(doc)
    (work / f"{briefing.name}-preview.html").write_text(page, encoding="utf-8")
    watched = {i.path.resolve() for i in inputs.briefing_inputs(briefing)}
    watched.add(briefing.path.resolve())
    return Rendering(page, ran, watched, time.perf_counter() - t0)


# --- serving ------------------------------------------------------------------------------------


def _handler(page: Page) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            text, version = page.get()
            if self.path == "/version":
                self._send(200, version.encode(), "text/plain; charset=utf-8")
            elif self.path in ("/", "/index.html"):
                self._send(200, with_reload(text, version).encode(), "text/html; charset=utf-8")
            else:
                self._send(404, b"not found", "text/plain; charset=utf-8")

        def _send(self, code: int, body: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the terminal is ours
            return

    return Handler


def start_server(page: Page, host: str, port: int) -> ThreadingHTTPServer:
    """Serve ``page`` on ``host:port`` in a background thread."""
    from riskbrief.errors import BuildError

    try:
        server = ThreadingHTTPServer((host, port), _handler(page))
    except OSError as exc:
        raise BuildError(
            f"cannot serve the preview on {host}:{port} ({exc.strerror or exc}); "
            "choose another port: make preview B=<name> PORT=<n>"
        ) from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
    return server


def _render(name: str, project: Project, build_dir: Path, page: Page) -> set[Path] | None:
    """Render once into ``page``; print what happened. Returns the files to watch (None after
    a problem: then everything under the watched folders counts)."""
    try:
        r = render_once(name, project, build_dir)
    except RiskbriefError as exc:
        print(f"riskbrief: error: {exc}", file=sys.stderr, flush=True)
        page.set(message_page(f"{name}: not rendered", str(exc)))
        print(f"[{name}] waiting for the next save", flush=True)
        return None
    page.set(r.html)
    ran = f"ran {', '.join(r.executed)}" if r.executed else "no section needed running"
    print(f"[{name}] preview rendered in {r.seconds:.1f} s ({ran})", flush=True)
    return r.inputs


def serve(
    name: str,
    *,
    project: Project | None = None,
    build_dir: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 8765,
    open_browser: bool = False,
) -> None:
    """Serve the preview until interrupted (Ctrl-C)."""
    import watchfiles

    project = project or Project.default()
    build_dir = Path(build_dir or project.build_dir).resolve()
    page = Page()
    page.set(message_page(f"{name}: rendering…", "The first rendering is on its way."))
    server = start_server(page, host, port)
    url = f"http://{host}:{server.server_address[1]}/"
    print(f"[{name}] preview at {url} (Ctrl-C stops; nothing is published)", flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    watched = _render(name, project, build_dir, page)
    roots = [
        p
        for p in (
            project.params_dir,
            project.data_dir,
            project.notebooks_dir,
            project.docs_dir,
            PACKAGE_DIR,
        )
        if p.is_dir()
    ]
    roots += sorted({p.parent for p in watched or () if not _under(p, [project.root, PACKAGE_DIR])})
    print(
        f"[{name}] watching its params, data, notebooks, the assumptions log and the package",
        flush=True,
    )
    try:
        for changes in watchfiles.watch(*roots, debounce=200, step=50):
            paths = {Path(p).resolve() for _, p in changes}
            package = {p for p in paths if _under(p, [PACKAGE_DIR]) and p.suffix != ".pyc"}
            relevant = paths if watched is None else paths & watched
            if package and any(p.suffix in {".py", ".j2", ".css"} for p in package):
                print(f"[{name}] the package changed: restarting the preview", flush=True)
                server.shutdown()
                server.server_close()
                os.execv(sys.executable, [sys.executable, "-m", "riskbrief", *sys.argv[1:]])
            if not relevant:
                continue
            shown = ", ".join(sorted(display_path(p, project) for p in relevant))
            print(f"[{name}] changed: {shown}", flush=True)
            watched = _render(name, project, build_dir, page)
    except KeyboardInterrupt:
        print(f"[{name}] preview stopped", flush=True)
    finally:
        server.shutdown()
        server.server_close()


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)
