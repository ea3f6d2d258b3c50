"""PDF printing part by part: shared parts laid out once, the same bytes however printed."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from benchmarks.generate import generate
from rmentor.documents import printing
from rmentor.documents.render import Document, Part, Renderer
from tests.documents.test_documents import TODAY, run, weasyprint_works

pytestmark = pytest.mark.skipif(
    not weasyprint_works(), reason="WeasyPrint cannot run here (pip install 'rmentor[pdf]')"
)


def pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = generate(tmp_path_factory.mktemp("print") / "program", 3, 3, 1)  # 2 pairs
    run("match", "--today", TODAY, "--program", str(folder), "-q")
    run("build", "--format", "pdf", "--today", TODAY, "--program", str(folder), "-q")
    return folder


def test_a_packet_printed_alone_is_the_same_bytes_as_in_the_whole_build(
    printed: Path, tmp_path: Path
) -> None:
    packets = sorted(p for p in (printed / "out" / "packets").glob("p*.pdf"))
    assert len(packets) == 2
    # the second pair's packet: in the build, its worker had laid out the first's parts
    pair = packets[-1].stem
    args = ("--format", "pdf", "--today", TODAY, "--program", str(printed), "-q")
    run("packet", "--pair", pair, *args, "--out", str(tmp_path))
    assert (tmp_path / "packets" / f"{pair}.pdf").read_bytes() == packets[-1].read_bytes()


def test_each_part_is_numbered_on_its_own_and_prints_as_its_own_file(printed: Path) -> None:
    out = printed / "out"
    pair = next((out / "packets").glob("p*.pdf")).stem
    packet = pages(out / "packets" / f"{pair}.pdf")
    agenda = pages(out / "agendas" / f"{pair}.pdf")
    agreement = pages(out / "agreements" / f"{pair}.pdf")
    # the cover, two letters, the agreement, schedule, sheets, two guides, the form:
    # each starts again at page 1
    firsts = [k for k, text in enumerate(packet) if re.search(r"Page 1 of \d+\s*$", text)]
    assert len(firsts) == 9
    # the agreement and the agenda sheets are the very pages of their own files
    start = next(k for k, text in enumerate(packet) if text.startswith("Pair agreement"))
    assert packet[start : start + len(agreement)] == agreement
    start = next(k for k, text in enumerate(packet) if text.startswith("Session agenda sheets"))
    assert packet[start : start + len(agenda)] == agenda
    # one agenda sheet a page: each page after the first starts with its session
    assert len(agenda) >= 3
    assert all(re.match(r"Session \d+ — ", text) for text in agenda[1:])
    last = len(agenda)
    assert agenda[-1].rstrip().endswith(f"Page {last} of {last}")


def test_a_shared_part_is_laid_out_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weasyprint import HTML

    (tmp_path / "guide.md.j2").write_text("# Guide\n\nFor everyone.\n")
    (tmp_path / "own.md.j2").write_text("# For {{ name }}\n\nYours.\n")
    laid_out: list[str] = []
    render = HTML.render

    def counting(self: HTML, **options: object) -> object:
        laid_out.append(self.etree_element.findtext(".//h1") or "")
        return render(self, **options)

    monkeypatch.setattr(HTML, "render", counting)
    shared = Part("guide.md.j2", {})
    docs = [
        Document(f"packets/{name}", f"Packet: {name}", (Part("own.md.j2", {"name": name}), shared))
        for name in ("Ann", "Bo", "Cy")
    ]
    printer = printing._Printer(Renderer(tmp_path))
    first = [printer.pdf(doc, "header") for doc in docs]
    assert sorted(laid_out) == ["For Ann", "For Bo", "For Cy", "Guide"]
    again = printing._Printer(Renderer(tmp_path)).pdf(docs[2], "header")
    assert again == first[2]  # laid out afresh or from the cache: the same bytes
    assert laid_out[-2:] == ["For Cy", "Guide"]
