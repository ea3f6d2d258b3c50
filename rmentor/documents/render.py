"""Turning templates and data into documents: Markdown, HTML and PDF.

One template per document, written in Markdown (`<name>.md.j2`). Every value put
into it is Markdown-escaped automatically, so a participant's text can never become
markup, links or template code (it is only ever data in the context). HTML is the
Markdown rendered by cmark-gfm with raw HTML switched off, wrapped in a print
layout (`layout.html.j2`, autoescaped); PDF is that HTML through WeasyPrint.

Templates are looked up in the program's own `templates/` folder first, then in the
built-in ones, and always rendered in Jinja's immutable sandbox with StrictUndefined:
a misspelt variable fails loudly, and a program's template cannot reach Python.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..errors import RmentorError
from ..resources import templates_dir
from ..text import slug, visible

FORMATS = ("md", "html", "pdf")
LAYOUT = "layout.html.j2"

# Characters Markdown may read as syntax, escaped with a backslash wherever data goes.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")


class MarkdownText(str):
    """Text that already is Markdown (written by a template, not by a participant)."""

    __slots__ = ()


class TemplateProblem(RmentorError):
    """A template (the program's own, usually) could not be rendered."""


def clean_text(value: object) -> str:
    """Data as one safe line: no control, bidi or other invisible character (bidi
    controls could make a name display as something else), whitespace collapsed."""
    return visible(str(value))


def md_escape(value: object) -> str:
    """Escape data for Markdown: it shows as written and never becomes markup."""
    if isinstance(value, MarkdownText):
        return value
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return _MD_SPECIAL.sub(r"\\\1", clean_text(value))


def long_date(value: dt.date | dt.datetime) -> str:
    """e.g. "Tuesday 12 January 2027"."""
    return f"{value:%A} {value.day} {value:%B %Y}"


def short_date(value: dt.date | dt.datetime) -> str:
    """e.g. "12 Jan 2027"."""
    return f"{value.day} {value:%b %Y}"


def clock(value: dt.time | dt.datetime) -> str:
    """e.g. "14:30"."""
    return f"{value:%H:%M}"


def css_string(value: object) -> Markup:
    """Text for a CSS string literal: every non-alphanumeric character as a CSS escape,
    so neither a quote nor `</style>` can end it."""
    text = clean_text(value)
    return Markup("".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text))


def markdown_to_html(text: str) -> str:
    """GitHub-flavoured Markdown to HTML with cmark-gfm (GitHub's own C parser).

    Only the table and strikethrough extensions: no autolinks (a URL or e-mail in a
    participant's text stays text), no task-list inputs. Raw HTML is never passed
    (cmark's safe default omits it, and links with `javascript:` URLs are dropped);
    data cannot produce any anyway, being escaped by `md_escape`. About 20 times
    faster than markdown-it-py, with the same HTML for our documents.
    """
    import cmarkgfm

    html = cmarkgfm.markdown_to_html_with_extensions(
        text, options=0, extensions=["table", "strikethrough"]
    )
    return _TICK_BOX.sub(r'<li class="task">\1<span class="box"></span>', str(html))


# A list item that starts with `[ ]` (a tick-box to fill in on paper): drawn as a box.
_TICK_BOX = re.compile(r"<li>(\n?<p>)?\[ \] ")


def _fingerprint(context: Mapping[str, Any]) -> str:
    # The context's repr is a faithful key: plain dicts, lists, strings, numbers and
    # dates, always built in the same order. Far cheaper than rendering twice.
    return repr(context)


@dataclass(frozen=True)
class Part:
    """One template rendered with one context: a letter, a guide, an agreement."""

    template: str
    context: Mapping[str, Any]


class Renderer:
    """Renders document templates; the program's `templates/` overrides built-ins by name."""

    def __init__(self, program_templates: Path | None = None, paper: str = "a4") -> None:
        self.program_templates = program_templates
        folders = (
            [str(program_templates)] if program_templates and program_templates.is_dir() else []
        )
        folders.append(str(templates_dir() / "documents"))
        loader = ChoiceLoader([FileSystemLoader(folder) for folder in folders])
        common: dict[str, Any] = {
            "loader": loader,
            "undefined": StrictUndefined,
            "keep_trailing_newline": True,
            "trim_blocks": True,
            "lstrip_blocks": True,
        }
        self.markdown_env = ImmutableSandboxedEnvironment(
            autoescape=False, finalize=md_escape, **common
        )
        self.html_env = ImmutableSandboxedEnvironment(autoescape=True, **common)
        for env in (self.markdown_env, self.html_env):
            env.filters.update(
                long_date=long_date,
                short_date=short_date,
                clock=clock,
                text=clean_text,
                md=lambda v: MarkdownText(md_escape(v)),
            )
        self.markdown_env.globals["raw"] = MarkdownText
        self.html_env.filters["css_string"] = css_string
        self.paper = paper
        self._cache: dict[tuple[str, str], str] = {}

    def markdown(self, part: Part) -> str:
        """One part as Markdown (LF endings, one trailing newline).

        Parts with equal contexts (the guides in every packet, a letter in the handouts
        and in the packet) are rendered once.
        """
        key = (part.template, _fingerprint(part.context))
        if key not in self._cache:
            self._cache[key] = self._render_markdown(part)
        return self._cache[key]

    def _render_markdown(self, part: Part) -> str:
        try:
            text = self.markdown_env.get_template(part.template).render(**part.context)
        except TemplateNotFound as exc:
            raise TemplateProblem(f"template `{exc.name}` not found") from None
        except TemplateError as exc:
            raise TemplateProblem(f"template `{part.template}`: {exc}") from None
        text = re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n"))
        return text.strip("\n") + "\n"

    def html_body(self, part: Part) -> str:
        """One part as an HTML fragment (Markdown rendered, raw HTML never passed)."""
        key = ("html:" + part.template, _fingerprint(part.context))
        if key not in self._cache:
            self._cache[key] = markdown_to_html(self.markdown(part))
        return self._cache[key]

    def document_markdown(self, parts: Sequence[Part]) -> str:
        """Several parts as one Markdown file, separated by horizontal rules."""
        return "\n---\n\n".join(self.markdown(p) for p in parts)

    def document_html(
        self,
        title: str,
        parts: Sequence[Part],
        *,
        header: str,
        kind: str = "document",
        figures: Mapping[str, str] | None = None,
    ) -> str:
        """A self-contained, printable HTML page: each part on its own page(s).

        `figures` maps an image path the Markdown links to trusted SVG markup (charts
        rmentor drew): the image becomes that SVG inline, so the page stays one file.
        """
        sections = [Markup(inline_figures(self.html_body(p), figures or {})) for p in parts]
        try:
            # Cleaned here too: a program's own layout may print them without `| text`.
            return self.html_env.get_template(LAYOUT).render(
                title=visible(title),
                header=visible(header),
                sections=sections,
                paper=self.paper,
                kind=kind,
            )
        except TemplateError as exc:
            raise TemplateProblem(f"template `{LAYOUT}`: {exc}") from None

    def document(
        self,
        title: str,
        parts: Sequence[Part],
        fmt: str,
        *,
        header: str,
        kind: str = "document",
        figures: Mapping[str, str] | None = None,
    ) -> bytes:
        """The document's bytes in a format: md, html or pdf."""
        if fmt == "md":
            return self.document_markdown(parts).encode("utf-8")
        html = self.document_html(title, parts, header=header, kind=kind, figures=figures)
        if fmt == "html":
            return html.encode("utf-8")
        if fmt == "pdf":
            return pdfs([(html, slug(title))])[0]
        raise RmentorError(f"unknown format `{fmt}` (use md, html or pdf)")


# An image, with the paragraph cmark wraps it in when it stands alone.
_IMG = re.compile(r'(<p>)?<img src="([^"]*)" alt="([^"]*)" />(?(1)</p>)')


def inline_figures(html: str, figures: Mapping[str, str]) -> str:
    """Replace `<img>`s whose path is in `figures` by that SVG in a <figure>.

    Only images written by a template (participant text is escaped and cannot make
    one) with a path rmentor drew are replaced; any other image is left as it is.
    """
    if not figures:
        return html

    def swap(match: re.Match[str]) -> str:
        svg = figures.get(match[2])
        if svg is None:
            return match[0]
        return f'<figure class="chart">{svg.strip()}<figcaption>{match[3]}</figcaption></figure>'

    return _IMG.sub(swap, html)


PDF_HELP = (
    "PDF output needs WeasyPrint: pip install 'rmentor[pdf]', and its system libraries "
    "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b "
    "libfontconfig1 fonts-dejavu-core; macOS: brew install pango)"
)


def _check_weasyprint() -> None:
    try:
        import weasyprint  # noqa: F401
    except ImportError:
        raise RmentorError(PDF_HELP) from None
    except OSError as exc:  # WeasyPrint is there, Pango is not
        raise RmentorError(f"{PDF_HELP} ({exc})") from None


def html_to_pdf(html: str, identifier: str) -> bytes:
    """Print HTML to PDF with WeasyPrint (in this process; see `pdfs` for why not)."""
    _check_weasyprint()
    from weasyprint import HTML

    # A fixed identifier: WeasyPrint would otherwise put a random /ID in every file.
    # fontTools stamps each embedded font subset with the current time unless
    # SOURCE_DATE_EPOCH says otherwise (a user's own setting is respected).
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    try:
        data: bytes = HTML(string=html).write_pdf(pdf_identifier=identifier.encode("ascii"))
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
    return data


def _pdf_job(job: tuple[str, str]) -> bytes:
    return html_to_pdf(*job)


def pdfs(jobs: Sequence[tuple[str, str]]) -> list[bytes]:
    """Many (html, identifier) jobs to PDF bytes, the same bytes on every run.

    The order of glyphs in each embedded font subset follows Python's string
    hashing, which is randomised per process; so the PDFs are printed in worker
    processes started with PYTHONHASHSEED=0 (which also uses both cores).
    """
    if not jobs:
        return []
    _check_weasyprint()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    saved = {k: os.environ.get(k) for k in ("PYTHONHASHSEED", "SOURCE_DATE_EPOCH")}
    os.environ["PYTHONHASHSEED"] = "0"
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
    try:
        workers = max(1, min(len(jobs), os.cpu_count() or 1))
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            return list(pool.map(_pdf_job, jobs))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@dataclass(frozen=True)
class Document:
    """A file to write: its path under out/ (without extension), title and parts."""

    path: str
    title: str
    parts: tuple[Part, ...]
    kind: str = "document"  # layout variant: document, form, sheets, packet, report, certificate
    # Charts inlined in HTML: an image path the Markdown links (`![..](path)`) -> SVG.
    figures: Mapping[str, str] = field(default_factory=dict, hash=False)


# Told (what, done, of) as documents are rendered: the CLI draws a progress bar.
Progress = Callable[[str, int, int], None]


PDF_BATCH = 64  # documents printed per pool of workers: bounds the HTML held at once


PARALLEL_FROM = 200  # from this many documents, Markdown and HTML render on every core


CHUNK_DOCUMENTS = 100  # documents sent to a worker at once


class DuplicateName(RuntimeError):
    """Two documents would be written to one file: a bug (not the user's mistake), since
    `validate` refuses ids that share a file name (`model.checks.check_file_names`)."""


def check_names(docs: Sequence[Document]) -> None:
    """Raise `DuplicateName` when two documents have one path, before anything is
    rendered: a document must never be lost by being overwritten in silence. Paths are
    compared without case, as macOS and Windows disks do."""
    seen: dict[str, Document] = {}
    for doc in docs:
        key = doc.path.casefold()
        if key in seen:
            raise DuplicateName(
                f"two documents would be written to `{doc.path}`: "
                f"`{seen[key].title}` and `{doc.title}`"
            )
        seen[key] = doc


def render_documents(
    docs: Sequence[Document],
    renderer: Renderer,
    fmt: str,
    header: str,
    progress: Progress | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Each document's file name under out/ (`<path>.<fmt>`) and its bytes;
    `DuplicateName` (a bug) before anything is rendered when two documents share a path.

    PDFs are printed in batches of `PDF_BATCH` (see `pdfs`); from `PARALLEL_FROM`
    documents on, Markdown and HTML render in worker processes, one per core.
    """
    if fmt not in FORMATS:
        raise RmentorError(f"unknown format `{fmt}` (use md, html or pdf)")
    check_names(docs)
    if fmt != "pdf" and len(docs) >= PARALLEL_FROM:
        yield from _render_parallel(docs, renderer, fmt, header, progress)
        return
    pending: list[tuple[str, str, str]] = []  # PDFs: (name, html, identifier), printed in batches
    for k, doc in enumerate(docs, start=1):
        name = f"{doc.path}.{fmt}"
        if fmt == "pdf":
            html = renderer.document_html(
                doc.title, doc.parts, header=header, kind=doc.kind, figures=doc.figures
            )
            pending.append((name, html, slug(doc.path)))
            if len(pending) == PDF_BATCH or k == len(docs):
                printed = pdfs([(page, ident) for _, page, ident in pending])
                yield from zip((n for n, _, _ in pending), printed, strict=True)
                pending.clear()
        else:
            yield (
                name,
                renderer.document(
                    doc.title, doc.parts, fmt, header=header, kind=doc.kind, figures=doc.figures
                ),
            )
        if progress is not None:
            progress(f"writing {fmt}", k, len(docs))


def _render_chunk(job: tuple[Path | None, str, str, str, Sequence[Document]]) -> list[bytes]:
    # Top level, so that worker processes find it by its module path.
    templates, paper, fmt, header, docs = job
    renderer = Renderer(templates, paper)
    return [
        renderer.document(d.title, d.parts, fmt, header=header, kind=d.kind, figures=d.figures)
        for d in docs
    ]


def _render_parallel(
    docs: Sequence[Document],
    renderer: Renderer,
    fmt: str,
    header: str,
    progress: Progress | None,
) -> Iterator[tuple[str, bytes]]:
    """Many documents: rendered in worker processes (one per core), yielded here.

    Each chunk is pickled whole, so the contexts its documents share stay shared and
    the worker's renderer renders each shared part once.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = CHUNK_DOCUMENTS
    # A pair's letters and agreement are parts of its packet too: keep a pair's
    # documents in one chunk so its worker renders them once.
    ordered = sorted(docs, key=lambda d: (d.path.rsplit("/", 1)[-1].rsplit("-", 1)[-1], d.path))
    chunks = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    jobs = [(renderer.program_templates, renderer.paper, fmt, header, chunk) for chunk in chunks]
    workers = max(1, min(len(chunks), os.cpu_count() or 1))
    done = 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for chunk, rendered in zip(chunks, pool.map(_render_chunk, jobs), strict=True):
            for doc, data in zip(chunk, rendered, strict=True):
                yield f"{doc.path}.{fmt}", data
            done += len(chunk)
            if progress is not None:
                progress(f"writing {fmt}", done, len(docs))
