"""Printing documents to PDF with WeasyPrint: each part laid out once, packets assembled.

Laying out pages is nearly all the cost of a PDF (about 0.1 s a page), and most pages
repeat: the mentor and mentee guides and the final survey are in every pair's packet,
and a pair's agreement and agenda sheets are printed both in its packet and on their
own. So each part of a document is laid out as a document of its own, once per worker
process (`_Printer.laid_out`, keyed by the part's HTML), and a document is written from
the laid-out pages of its parts (WeasyPrint's `Document.copy`, which takes pages from
several renderings into one PDF with one set of embedded fonts).

A consequence a reader sees: pages are numbered within each part ("Page 2 of 6" of the
mentor guide), the way the parts are used: a letter goes to its reader, the agreement
stays with the pair, and the same part printed on its own carries the same numbers.

The bytes do not depend on what was laid out before (a test prints one packet alone and
within the whole build, and compares), and workers hash strings with PYTHONHASHSEED=0,
on which the glyph order of WeasyPrint's font subsets depends.
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RmentorError
from ..text import slug, visible

if TYPE_CHECKING:
    from .render import Document, Renderer

PDF_HELP = (
    "PDF output needs WeasyPrint: pip install 'rmentor[pdf]', and its system libraries "
    "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b "
    "libfontconfig1 fonts-dejavu-core; macOS: brew install pango)"
)

LAID_OUT = 48  # parts kept laid out per worker: the shared ones, and a pair's own

CHUNK = 12  # documents sent to a worker at once: a pair's five or so, and the next pair's


def check_weasyprint() -> None:
    """Raise `RmentorError` saying what to install when WeasyPrint cannot be used."""
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        raise RmentorError(PDF_HELP) from None
    except OSError as exc:  # WeasyPrint is there, Pango is not
        raise RmentorError(f"{PDF_HELP} ({exc})") from None


class _Printer:
    """One worker's printer: its renderer, its fonts and the parts it has laid out."""

    def __init__(self, renderer: Renderer) -> None:
        from weasyprint.text.fonts import FontConfiguration

        self.renderer = renderer
        self.fonts = FontConfiguration()  # one for all parts: each font is embedded once
        self.laid_out: OrderedDict[str, Any] = OrderedDict()

    def part(self, html: str) -> Any:
        """The part's HTML laid out (a WeasyPrint `Document`), from the cache if it can."""
        from weasyprint import HTML

        key = hashlib.sha256(html.encode("utf-8")).hexdigest()
        found = self.laid_out.get(key)
        if found is None:
            found = HTML(string=html).render(font_config=self.fonts)
            self.laid_out[key] = found
            if len(self.laid_out) > LAID_OUT:
                self.laid_out.popitem(last=False)
        else:
            self.laid_out.move_to_end(key)
        return found

    def pdf(self, doc: Document, header: str) -> bytes:
        """One document's PDF: its parts' pages, in order, under the document's title."""
        parts = [
            self.part(
                self.renderer.document_html(
                    # A part's HTML must not depend on the document it is in (that is
                    # what lets it be shared), so not its <title>: set below instead.
                    header,
                    (part,),
                    header=header,
                    kind=part.kind or doc.kind,
                    figures=doc.figures,
                )
            )
            for part in doc.parts
        ]
        whole = parts[0].copy([page for part in parts for page in part.pages])
        whole.metadata = copy.copy(parts[0].metadata)
        whole.metadata.title = visible(doc.title)
        # A fixed identifier: WeasyPrint would otherwise put a random /ID in every file.
        data: bytes = whole.write_pdf(pdf_identifier=slug(doc.path).encode("ascii"))
        return data


_PRINTERS: dict[tuple[Path | None, str], _Printer] = {}  # per worker process


def _print_chunk(job: tuple[Path | None, str, str, Sequence[Document]]) -> list[bytes]:
    # Top level, so that worker processes find it by its module path.
    from .render import worker_renderer

    templates, paper, header, docs = job
    renderer = worker_renderer(templates, paper)  # parts laid out are kept, not rendered
    printer = _PRINTERS.get((templates, paper))
    if printer is None:
        printer = _PRINTERS[(templates, paper)] = _Printer(renderer)
    return [printer.pdf(doc, header) for doc in docs]


def print_documents(
    docs: Sequence[Document],
    renderer: Renderer,
    header: str,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """Each document's PDF bytes, in the order of `docs`; `progress(done)` as they come.

    Printed in worker processes (one per core) started with PYTHONHASHSEED=0 and
    SOURCE_DATE_EPOCH=0 (fontTools stamps each font subset with the time otherwise; a
    user's own setting is respected). A pair's documents go to one worker together, so
    its agreement and agenda sheets are laid out once for the packet and for their own
    files.
    """
    if not docs:
        return
    check_weasyprint()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [docs[i : i + CHUNK] for i in range(0, len(docs), CHUNK)]
    jobs = [(renderer.program_templates, renderer.paper, header, chunk) for chunk in chunks]
    workers = max(1, min(len(chunks), os.cpu_count() or 1))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        with _worker_environment():
            results = pool.map(_print_chunk, jobs)  # submits every job: workers start here
        done = 0
        try:
            for printed in results:
                for data in printed:
                    done += 1
                    yield data
                    if progress is not None:
                        progress(done)
        except BaseException:  # a chunk failed, or the caller stopped: print no more
            pool.shutdown(wait=False, cancel_futures=True)
            raise


@contextmanager
def _worker_environment() -> Iterator[None]:
    """PYTHONHASHSEED=0 and SOURCE_DATE_EPOCH (unless set) for the workers started
    within, and this process's environment as it was afterwards."""
    saved = {k: os.environ.get(k) for k in ("PYTHONHASHSEED", "SOURCE_DATE_EPOCH")}
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
