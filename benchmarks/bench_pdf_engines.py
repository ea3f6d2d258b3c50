"""PDF engines side by side on the same HTML: WeasyPrint (as rmentor prints) and Chromium.

    python benchmarks/bench_pdf_engines.py OUT_DIR      # OUT_DIR: a `build --format html`

Measures printing every packet of a built program (its `packets/*.html`) three ways:
- WeasyPrint, each packet as one document (how rmentor printed until issue 16);
- WeasyPrint, part by part with shared parts laid out once (`documents/printing.py`);
- headless Chromium (Debian's `chromium`), one browser kept open and driven over the
  DevTools protocol on a pipe (`--remote-debugging-pipe`), each packet printed with
  `Page.printToPDF` and the page size the print CSS asks for.
All in this one process (Chromium in its own), one core, wall and CPU seconds. Chromium
is not a dependency of rmentor: this measures the option issue 16 asks about.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def cpu() -> float:
    """CPU seconds of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def weasyprint_whole(files: list[Path]) -> int:
    """Each packet laid out as one document."""
    from weasyprint import HTML

    pages = 0
    for path in files:
        document = HTML(filename=str(path)).render()
        document.write_pdf()
        pages += len(document.pages)
    return pages


def weasyprint_parts(files: list[Path]) -> int:
    """Each packet's parts laid out on their own, a part seen before taken from the cache
    (what `printing._Printer` does with the parts' HTML)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    cache: dict[str, Any] = {}
    pages = 0
    for path in files:
        html = path.read_text(encoding="utf-8")
        # rmentor gives each part one <title> (the document's is set on the PDF)
        html = re.sub(r"<title>.*?</title>", "<title>part</title>", html, count=1)
        head, body = html.split("<body", 1)
        opening, rest = body.split(">", 1)
        sections = re.findall(r"<section class=\"part[^\"]*\">.*?</section>", rest, flags=re.S)
        laid = []
        for section in sections:
            page = f"{head}<body{opening}>{section}</body></html>"
            if page not in cache:
                cache[page] = HTML(string=page).render(font_config=fonts)
            laid.append(cache[page])
        whole = laid[0].copy([p for d in laid for p in d.pages])
        whole.write_pdf()
        pages += len(whole.pages)
    return pages


class Chromium:
    """A headless Chromium driven over the DevTools protocol on a pipe."""

    def __init__(self, binary: str) -> None:
        to_browser, self._send = os.pipe()
        self._receive, from_browser = os.pipe()

        def fds() -> None:  # the browser reads commands on fd 3 and answers on fd 4
            os.dup2(to_browser, 3)
            os.dup2(from_browser, 4)

        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            pass_fds=(3, 4, to_browser, from_browser),  # 3 and 4: dup2'd in `fds`
            preexec_fn=fds,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._id = 0

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (events in between are dropped)."""
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._send, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._next()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(reply["error"])
                result: dict[str, Any] = reply["result"]
                return result

    def wait_for(self, event: str, session: str) -> None:
        """Wait for an event of a session."""
        while True:
            reply = self._next()
            if reply.get("method") == event and reply.get("sessionId") == session:
                return

    def _next(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._receive, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def pdf(self, path: Path) -> bytes:
        """One file printed as its print CSS asks."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session)
        self.call("Page.navigate", session, url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired", session)
        data = self.call("Page.printToPDF", session, preferCSSPageSize=True, printBackground=True)
        self.call("Target.closeTarget", targetId=target)
        return base64.b64decode(data["data"])

    def close(self) -> None:
        """Stop the browser."""
        self.process.terminate()
        self.process.wait()


def chromium(files: list[Path], binary: str) -> int:
    """Every packet printed by one browser."""
    from pypdf import PdfReader

    browser = Chromium(binary)
    pages = 0
    try:
        for path in files:
            data = browser.pdf(path)
            pages += len(PdfReader(io.BytesIO(data)).pages)
    finally:
        browser.close()
    return pages


def main() -> None:
    out = Path(sys.argv[1])
    files = sorted((out / "packets").glob("*.html"))
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    engines = [("WeasyPrint, whole packets", weasyprint_whole)]
    engines.append(("WeasyPrint, part by part", weasyprint_parts))
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    print(f"{len(files)} packets of {out}")
    print("| engine | pages | wall | CPU | per page |")
    print("|---|---|---|---|---|")
    runs: list[tuple[str, Any]] = list(engines)
    if binary:
        runs.append(("Chromium (one browser, DevTools)", lambda f: chromium(f, binary)))
    for name, run in runs:
        wall, used = time.perf_counter(), cpu()
        pages = run(files)
        wall, used = time.perf_counter() - wall, cpu() - used
        per_page = wall / pages * 1000
        print(f"| {name} | {pages:,} | {wall:.1f} s | {used:.1f} s | {per_page:.0f} ms |")


if __name__ == "__main__":
    main()
