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


@dataclass(frozen=True)
class Part:
    """One template rendered with one context: a letter, a guide, an agreement.

    `kind` is the part's own layout variant wherever it is printed ("form": room to
    write in its tables; "sheets": each second-level heading on a new page; "letter"),
    so an agreement or an agenda sheet looks the same in a packet as on its own. In a
    PDF it also names the part's page style (`printing`), so a part with a kind is laid
    out once for the packet and for its own file.
    """

    template: str
    context: Mapping[str, Any]
    kind: str | None = None


class Section(Markup):
    """A part's HTML in the layout, with its layout `kind` (None: the document's)."""

    kind: str | None = None

    @classmethod
    def of(cls, html: str, kind: str | None) -> Section:
        """The HTML fragment `html` (trusted: rendered from escaped Markdown) as a section."""
        section = cls(html)
        section.kind = kind
        return section


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
        self._cache: dict[tuple[str, str, int], tuple[Mapping[str, Any], str]] = {}

    def forget(self) -> None:
        """Drop the parts rendered so far (a worker's next chunk shares none of them);
        the compiled templates stay."""
        self._cache.clear()

    def markdown(self, part: Part) -> str:
        """One part as Markdown (LF endings, one trailing newline).

        Parts with the same context object are rendered once: the guides in every
        packet, a letter in its own file and in the packet (documents share their
        parts' contexts: `packets.Contexts`). Comparing contexts by content (their
        repr, some 100 KB each) cost more than it saved.
        """
        return self._once("md", part, lambda: self._render_markdown(part))

    def _once(self, what: str, part: Part, make: Callable[[], str]) -> str:
        # Keyed by the context's id, and the context is kept: its id cannot be reused.
        key = (what, part.template, id(part.context))
        found = self._cache.get(key)
        if found is None or found[0] is not part.context:
            found = self._cache[key] = (part.context, make())
        return found[1]

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
        return self._once("html", part, lambda: markdown_to_html(self.markdown(part)))

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
        sections = [
            Section.of(inline_figures(self.html_body(p), figures or {}), p.kind) for p in parts
        ]
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
            from .printing import print_documents

            doc = Document(slug(title), title, tuple(parts), kind, figures or {})
            return next(print_documents([doc], self, header))
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

    PDFs are printed part by part in worker processes (`printing.print_documents`);
    from `PARALLEL_FROM` documents on, Markdown and HTML render in worker processes too.
    """
    if fmt not in FORMATS:
        raise RmentorError(f"unknown format `{fmt}` (use md, html or pdf)")
    check_names(docs)
    if fmt == "pdf":
        from .printing import print_documents

        ordered = by_pair(docs)
        done = (lambda k: progress("printing pdf", k, len(docs))) if progress else None
        printed = print_documents(ordered, renderer, header, done)
        for doc, data in zip(ordered, printed, strict=True):
            yield f"{doc.path}.pdf", data
        return
    if len(docs) >= PARALLEL_FROM:
        yield from _render_parallel(docs, renderer, fmt, header, progress)
        return
    for k, doc in enumerate(docs, start=1):
        yield (
            f"{doc.path}.{fmt}",
            renderer.document(
                doc.title, doc.parts, fmt, header=header, kind=doc.kind, figures=doc.figures
            ),
        )
        if progress is not None:
            progress(f"writing {fmt}", k, len(docs))


def by_pair(docs: Sequence[Document]) -> list[Document]:
    """The documents with each pair's together (its letters, agreement, agenda sheets
    and packet end in its id), so that one worker renders the parts they share once."""
    return sorted(docs, key=lambda d: (d.path.rsplit("/", 1)[-1].rsplit("-", 1)[-1], d.path))


_RENDERERS: dict[tuple[Path | None, str], Renderer] = {}  # per worker process


def worker_renderer(templates: Path | None, paper: str) -> Renderer:
    """This worker process's renderer: compiling the templates again for every chunk
    cost as much as rendering it. Forgets the previous chunk's parts."""
    renderer = _RENDERERS.get((templates, paper))
    if renderer is None:
        renderer = _RENDERERS[(templates, paper)] = Renderer(templates, paper)
    renderer.forget()
    return renderer


def _render_chunk(job: tuple[Path | None, str, str, str, Sequence[Document]]) -> list[bytes]:
    # Top level, so that worker processes find it by its module path.
    templates, paper, fmt, header, docs = job
    renderer = worker_renderer(templates, paper)
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
    ordered = by_pair(docs)
    chunks = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    jobs = [(renderer.program_templates, renderer.paper, fmt, header, chunk) for chunk in chunks]
    workers = max(1, min(len(chunks), os.cpu_count() or 1))
    done = 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        try:
            for chunk, rendered in zip(chunks, pool.map(_render_chunk, jobs), strict=True):
                for doc, data in zip(chunk, rendered, strict=True):
                    yield f"{doc.path}.{fmt}", data
                done += len(chunk)
                if progress is not None:
                    progress(f"writing {fmt}", done, len(docs))
        except BaseException:  # a chunk failed, or the caller stopped: render no more
            pool.shutdown(wait=False, cancel_futures=True)
            raise
