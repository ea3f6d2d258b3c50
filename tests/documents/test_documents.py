"""Documents end to end: golden files, hostile rosters, build twice, PDF in both papers."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rmentor.cli.app import app
from tests.conftest import SAMPLE, snapshot

runner = CliRunner()
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
TODAY = "2027-01-04"
# Regenerate with:
#   RMENTOR_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/documents/test_documents.py
UPDATE = os.environ.get("RMENTOR_UPDATE_GOLDEN") == "1"


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def weasyprint_works() -> bool:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):
        if os.environ.get("CI"):
            raise  # CI installs the pdf extra and Pango: the PDF tests must run there
        return False
    return True


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs") / "program"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    run("build", "--format", "md", "--today", TODAY, "--program", str(folder), "-q")
    run("build", "--format", "html", "--today", TODAY, "--program", str(folder), "-q")
    return folder


GOLDEN_FILES = (
    "handouts/mentor-guide.md",
    "handouts/mentee-guide.md",
    "handouts/coordinator-guide.md",
    "handouts/training-mentors.md",
    "handouts/training-mentees.md",
    "handouts/feedback-pre.md",
    "handouts/feedback-fit-check.md",
    "handouts/feedback-final.md",
    "packets/coordinator.md",
    "index.md",
    "letters/e1003-p5ywzsad.md",  # Margaret Chen, New York: times on her own clock
)


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_golden_documents(built: Path, name: str) -> None:
    text = (built / "out" / name).read_text(encoding="utf-8")
    golden = GOLDEN / name.replace("/", "__")
    if UPDATE or not golden.exists():
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {golden.name} was missing and has been written")
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_every_pair_gets_its_documents(built: Path) -> None:
    out = built / "out"
    packets = sorted(p.name for p in (out / "packets").glob("*.md"))
    assert len(packets) == 19  # 18 pairs and the coordinator
    assert len(list((out / "letters").glob("*.md"))) == 36
    assert len(list((out / "agreements").glob("*.md"))) == 18
    assert len(list((out / "agendas").glob("*.html"))) == 18
    index = (out / "index.html").read_text()
    for href in re.findall(r'href="([^"]+)"', index):
        assert (out / href).is_file(), href


@pytest.mark.parametrize(
    "name",
    ["mentor-guide", "mentee-guide", "coordinator-guide", "training-mentors", "training-mentees"],
)
def test_guides_are_finished_documents(built: Path, name: str) -> None:
    text = (built / "out" / "handouts" / f"{name}.md").read_text()
    assert len(text.split()) >= 600
    assert text.startswith("# ")
    assert "Digital Fluency 2027" in text
    assert not re.search(r"lorem|TODO|TBD|\{\{|\{%", text, re.IGNORECASE)


def test_packet_has_every_part_on_its_own_page(built: Path) -> None:
    page = next((built / "out" / "packets").glob("p*.html")).read_text()
    # cover, 2 letters, agreement, schedule, agenda sheets, 2 guides, form
    assert len(re.findall(r'<section class="part[ "]', page)) == 9
    # each part is laid out as it is on its own: the agreement and the final survey as
    # forms (room to write), the agenda sheets one session a page, the letters as letters
    kinds = re.findall(r'<section class="part(?: kind-(\w+))?">', page)
    assert kinds == ["", "letter", "letter", "form", "", "sheets", "", "", "form"]
    cover = page.split('<section class="part">')[1]
    for title in ("Welcome letter for", "Pair agreement", "Session agenda sheets", "Final survey"):
        assert title in cover  # the contents name every part
    assert "Session 1 — " in page  # and the agenda sheets are inside
    assert "break-before: page" in page
    assert "@page" in page
    assert "counter(page)" in page


def test_build_twice_changes_nothing(built: Path) -> None:
    before = snapshot(built)
    out = run("build", "--format", "html", "--today", TODAY, "--program", str(built))
    assert "(0 changed)" in out
    assert snapshot(built) == before


HOSTILE = """id,name,email,role,level,skills,interests,notes
../../evil,"<script>alert(1)</script> Eve",eve@example.com,mentor,1,video-meetings,,"{{ 7*7 }}"
M2,"=HYPERLINK(""http://x"")",m2@example.com,mentor,2,video-meetings,,
{{x}},"[click](javascript:alert(1)) \u202eevil",x@example.com,mentee,6,,video-meetings,"</style>"
S2,"Bob | **bold** # h",s2@example.com,mentee,7,,video-meetings,
"""


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_hostile_roster_is_only_data(tmp_path: Path, fmt: str) -> None:
    if fmt == "pdf" and not weasyprint_works():
        pytest.skip("WeasyPrint cannot run here (pip install 'rmentor[pdf]' and Pango)")
    folder = tmp_path / "p"
    run("init", str(folder), "--today", "2026-12-01", "-q")
    (folder / "participants.csv").write_text(HOSTILE, encoding="utf-8")
    around = snapshot(tmp_path)
    run("build", "--format", fmt, "--today", "2026-12-20", "--program", str(folder), "-q")
    after = snapshot(tmp_path)
    new = sorted(set(after) - set(around))
    assert all(name.startswith("p/out/") or name.startswith("p/state/") for name in new), new
    texts = [after[name] for name in new if name.endswith((".md", ".html"))]
    for data in texts:
        text = data.decode("utf-8")
        assert not re.search(r"(?<!\\)<script", text)  # Markdown escapes it as \<script
        assert not re.search(r"href=\"javascript", text)
        assert "\u202e" not in text
    if fmt == "html":
        letters = [after[n].decode() for n in new if "/letters/" in n]
        assert any("&lt;script&gt;alert(1)&lt;/script&gt; Eve" in t for t in letters)
        assert not any(re.search(r"<a [^>]*href=\"javascript", t) for t in letters)
    if fmt == "md":
        letter = next(after[n].decode() for n in new if "/letters/" in n and "evil" in n)
        assert "\\<script\\>" in letter


@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_pdf_pages(tmp_path: Path, paper: str, size: tuple[int, int]) -> None:
    if not weasyprint_works():
        pytest.skip("WeasyPrint cannot run here (pip install 'rmentor[pdf]' and Pango)")
    from pypdf import PdfReader

    folder = tmp_path / "program"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    yaml = (folder / "program.yaml").read_text()
    (folder / "program.yaml").write_text(re.sub(r"paper: a4", f"paper: {paper}", yaml))
    run("match", "-q", "--today", TODAY, "--program", str(folder))
    run("schedule", "-q", "--today", TODAY, "--program", str(folder))
    pairs = json.loads(run("match", "--json", "--dry-run", "--program", str(folder)))["pairs"]
    pair = pairs[0]["id"]
    args = (
        "packet",
        "--pair",
        pair,
        "--format",
        "pdf",
        "--today",
        TODAY,
        "--program",
        str(folder),
        "-q",
    )
    run(*args)
    packet = folder / "out" / "packets" / f"{pair}.pdf"
    reader = PdfReader(io.BytesIO(packet.read_bytes()))
    assert len(reader.pages) >= 8  # 2 letters, agreement, schedule, 2 guides, form
    width, height = (round(float(v)) for v in reader.pages[0].mediabox.upper_right)
    assert (width, height) == size
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Guide for mentors" in text
    assert "Page 2 of" in text
    again = folder / "again"
    run(*args, "--out", str(again))
    assert (again / "packets" / packet.name).read_bytes() == packet.read_bytes()
