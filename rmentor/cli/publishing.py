"""The document commands' work: gather the data, render every document, write out/.

`handouts`, `packet` and `build` call these. Files are written atomically and only
when their bytes change, so a second build touches nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..documents.packets import Document, handouts, packets
from ..documents.render import FORMATS, Part, Renderer, pdfs, slug
from ..errors import RmentorError
from ..files.load import Program, open_program
from ..files.output import inside, write_bytes_atomic
from ..files.state import PairingState, read_pairings
from ..model.sessions import Schedule, read_schedule

Progress = Callable[[str, int, int], None]
INDEX = "index"
PDF_BATCH = 64  # documents printed per pool of workers: bounds the HTML held at once
PARALLEL_FROM = 200  # from this many documents, Markdown and HTML render on every core
CHUNK_DOCUMENTS = 100  # documents sent to a worker at once


@dataclass(frozen=True)
class Written:
    """What a document command produced."""

    files: tuple[str, ...]  # relative to the out folder
    changed: int


def _roster(program: Program) -> dict[str, Any]:
    def table(key: str) -> list[dict[str, Any]]:
        counts: Counter[tuple[str, str]] = Counter(
            (getattr(p, key) or "(not given)", p.role) for p in program.participants
        )
        names = sorted({name for name, _ in counts})
        return [
            {"name": n, "mentors": counts[(n, "mentor")], "mentees": counts[(n, "mentee")]}
            for n in names
        ]

    return {"departments": table("department"), "locations": table("location")}


def context_extra(
    program: Program, pairs: PairingState, schedule: Schedule, today: dt.date
) -> dict[str, Any]:
    """Setup status, pairs at risk and roster composition, for the coordinator's documents."""
    from ..engines.status import build_status
    from ..files.meetings import load_meetings

    config = program.config
    assert config is not None
    meetings, _ = load_meetings(program.folder, config.topics, config.roster.list_separator)
    status = build_status(config, program.participants, pairs, schedule, meetings, today)
    return {
        "setup": {
            "matched": bool(pairs.active),
            "scheduled": bool(schedule.plans),
            "meetings_logged": len(meetings),
            "surveys": len(config.evaluation.surveys),
        },
        "at_risk": [
            {"pair": p.pair, "mentor": p.mentor_name, "mentee": p.mentee_name, "reason": p.at_risk}
            for p in status.at_risk
        ],
        "roster": _roster(program),
    }


def write_documents(
    docs: Sequence[Document],
    renderer: Renderer,
    fmt: str,
    out: Path,
    header: str,
    progress: Progress | None = None,
) -> Written:
    """Render each document and write `out/<path>.<fmt>`; count the files that changed."""
    if fmt not in FORMATS:
        raise RmentorError(f"unknown format `{fmt}` (use md, html or pdf)")
    files: list[str] = []
    changed = 0
    pending: list[tuple[str, str, str]] = []  # PDFs: (name, html, identifier), printed in batches

    def flush() -> int:
        printed = pdfs([(html, ident) for _, html, ident in pending])
        done = sum(
            write_bytes_atomic(inside(out, name), data, durable=False)
            for (name, _, _), data in zip(pending, printed, strict=True)
        )
        pending.clear()
        return done

    if fmt != "pdf" and len(docs) >= PARALLEL_FROM:
        return _write_parallel(docs, renderer, fmt, out, header, progress)
    for k, doc in enumerate(docs, start=1):
        name = f"{doc.path}.{fmt}"
        files.append(name)
        if fmt == "pdf":
            html = renderer.document_html(
                doc.title, doc.parts, header=header, kind=doc.kind, figures=doc.figures
            )
            pending.append((name, html, slug(doc.path)))
            if len(pending) == PDF_BATCH or k == len(docs):
                changed += flush()
        else:
            data = renderer.document(
                doc.title, doc.parts, fmt, header=header, kind=doc.kind, figures=doc.figures
            )
            changed += write_bytes_atomic(inside(out, name), data, durable=False)
        if progress is not None:
            progress(f"writing {fmt}", k, len(docs))
    return Written(tuple(files), changed)


def _render_chunk(job: tuple[Path | None, str, str, str, Sequence[Document]]) -> list[bytes]:
    templates, paper, fmt, header, docs = job
    renderer = Renderer(templates, paper)
    return [
        renderer.document(d.title, d.parts, fmt, header=header, kind=d.kind, figures=d.figures)
        for d in docs
    ]


def _write_parallel(
    docs: Sequence[Document],
    renderer: Renderer,
    fmt: str,
    out: Path,
    header: str,
    progress: Progress | None,
) -> Written:
    """Many documents: rendered in worker processes (one per core), written here.

    Each chunk is pickled whole, so the contexts its documents share stay shared and
    the worker's renderer renders each shared part once.
    """
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    size = CHUNK_DOCUMENTS
    # A pair's letters and agreement are parts of its packet too: keep a pair's
    # documents in one chunk so its worker renders them once.
    ordered = sorted(docs, key=lambda d: (d.path.rsplit("/", 1)[-1].rsplit("-", 1)[-1], d.path))
    chunks = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    jobs = [(renderer.program_templates, renderer.paper, fmt, header, chunk) for chunk in chunks]
    workers = max(1, min(len(chunks), os.cpu_count() or 1))
    files: list[str] = []
    changed = done = 0
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for chunk, rendered in zip(chunks, pool.map(_render_chunk, jobs), strict=True):
            for doc, data in zip(chunk, rendered, strict=True):
                name = f"{doc.path}.{fmt}"
                files.append(name)
                changed += write_bytes_atomic(inside(out, name), data, durable=False)
            done += len(chunk)
            if progress is not None:
                progress(f"writing {fmt}", done, len(docs))
    return Written(tuple(files), changed)


@dataclass(frozen=True)
class Loaded:
    """A program with its pairs and schedule, ready for documents."""

    program: Program
    pairs: PairingState
    schedule: Schedule
    renderer: Renderer
    extra: dict[str, Any]


def load(folder: Path, today: dt.date) -> Loaded:
    """Everything the documents need, from the program folder."""
    program = open_program(folder)
    config = program.config
    assert config is not None
    pairs = read_pairings(folder)
    schedule = read_schedule(folder)
    renderer = Renderer(folder / "templates", config.program.paper)
    return Loaded(
        program, pairs, schedule, renderer, context_extra(program, pairs, schedule, today)
    )


def handout_documents(loaded: Loaded, today: dt.date) -> list[Document]:
    """The `handouts` command's documents."""
    config = loaded.program.config
    assert config is not None
    return handouts(
        config, loaded.program.participants, loaded.pairs, loaded.schedule, today, loaded.extra
    )


def packet_documents(loaded: Loaded, today: dt.date, only: str | None = None) -> list[Document]:
    """The `packet` command's documents (one pair's, or every pair's and the coordinator's)."""
    config = loaded.program.config
    assert config is not None
    if only is not None and only not in {p.id for p in loaded.pairs.active}:
        raise RmentorError(f"`{only}` is not the id of an active pair")
    return packets(
        config,
        loaded.program.participants,
        loaded.pairs,
        loaded.schedule,
        today,
        only,
        loaded.extra,
    )


def index_document(
    loaded: Loaded, today: dt.date, entries: Sequence[tuple[str, str, str]], fmt: str
) -> Document:
    """out/index: every file written, grouped, with links relative to out/."""
    config = loaded.program.config
    assert config is not None
    groups: dict[str, list[dict[str, str]]] = {}
    for group, title, href in entries:
        # An index in HTML links the HTML/PDF files; in Markdown the Markdown ones.
        groups.setdefault(group, []).append({"title": title, "href": href})
    context = {
        "program": {"name": config.program.name, "organization": config.program.organization},
        "today": today,
        "format": fmt,
        "groups": [{"name": k, "entries": v} for k, v in groups.items()],
    }
    return Document(INDEX, f"{config.program.name}: documents", (Part("index.md.j2", context),))
