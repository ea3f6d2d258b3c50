"""Hostile inputs: `rmentor validate` answers each with its own error, in bounded time and memory.

Each case builds a program folder in `tmp_path` (files too big, too strange or too
special to commit: FIFOs, symlinks to /dev/zero, zip bombs, billion laughs), runs
`rmentor validate` in a child process under an address-space limit, and checks:

- exit 1 with the expected message, never 70 (a bug) and never a traceback;
- the child's wall time under `MAX_SECONDS` and its peak resident memory under `MAX_MB`
  (issue 12: under 10 s and 500 MB on 2 cores), measured by the child itself (VmHWM);
- nothing in the folder was created, changed or removed.

The child runs under RLIMIT_AS so that a regression fails the test with a MemoryError
instead of taking the test machine down. The limits each case meets are in
docs/safety.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="FIFOs, /dev/zero and resource limits are POSIX"
)

MAX_SECONDS = 10.0
MAX_MB = 500
ADDRESS_LIMIT = 1536 * 2**20  # a guard for the test machine, not the bound tested

BASE_YAML = """\
program:
  name: Hostile inputs
  organization: Example Org
  leader: {name: Lee Coordinator, email: lee@example.com}
  start: 2027-01-11
  end: 2027-06-25
  timezone: Europe/Berlin
topics:
  - {id: ai, title: AI tools}
  - {id: social, title: Social media}
roster:
  files: [participants.csv]
"""
ROSTER = "id,name,role\nm1,Mia,mentor\ne1,Eve,mentee\n"
SURVEY_YAML = """\
evaluation:
  surveys:
    - {file: survey.csv, kind: final}
"""

# The child: a resource limit, then the real console script. On the way out it writes
# its own peak (VmHWM): `ru_maxrss` from wait4 would include the pytest process's memory
# at the fork, which Linux carries over into the child's figure at exec.
CHILD = """\
import resource, sys
limit, report = int(sys.argv[2]), sys.argv[3]
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from rmentor.cli.app import main
sys.argv = ["rmentor", "validate", "--program", sys.argv[1]]
try:
    main()
finally:
    try:
        with open("/proc/self/status") as status:
            peak = next(l.split()[1] for l in status if l.startswith("VmHWM:"))
        with open(report, "w") as out:
            out.write(peak)
    except OSError:
        pass
"""


@dataclass(frozen=True)
class Outcome:
    """What one `rmentor validate` child did."""

    exit: int
    output: str
    seconds: float
    peak_mb: float


def run_validate(
    folder: Path, *, timeout: float = 60.0, env: dict[str, str] | None = None
) -> Outcome:
    """`rmentor validate` on `folder` in a child process; its own time and peak memory.

    The peak is the child's own VmHWM, so it is this case's alone.
    A child still running after `timeout` is killed (exit -9).
    """
    child_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "300", **(env or {})}
    child_env.pop("FORCE_COLOR", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "peak-kb"
        start = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(folder), str(ADDRESS_LIMIT), str(report)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=child_env,
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read().decode("utf-8", errors="replace")
        # Killed, or no /proc: wait4's figure, an overestimate (see CHILD).
        peak_kb = int(report.read_text()) if report.exists() else usage.ru_maxrss
    return Outcome(proc.returncode, output, seconds, peak_kb / 1024)


# -- building blocks -------------------------------------------------------------------


def write(folder: Path, name: str, content: str | bytes) -> None:
    """A file of the program folder (text as UTF-8, no newline translation)."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)


def program(folder: Path, yaml: str = BASE_YAML, roster: str | None = ROSTER) -> None:
    """The small valid program every case starts from."""
    write(folder, "program.yaml", yaml)
    if roster is not None:
        write(folder, "participants.csv", roster)


def sparse(path: Path, size: int) -> None:
    """A file that claims `size` bytes without using the disk (reading it would be slow)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)


def dev_zero(path: Path) -> None:
    """`path` becomes a symlink to /dev/zero: endless bytes for whoever reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.symlink("/dev/zero", path)


def fifo(path: Path) -> None:
    """`path` becomes a named pipe nobody writes to: reading it blocks forever."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    os.mkfifo(path)


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def column_name(number: int) -> str:
    """1 -> A, 27 -> AA, 16384 -> XFD."""
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


def inline_row(number: int, values: Iterable[str], first_column: int = 1) -> str:
    """One `<row>` of inline-string cells."""
    cells = "".join(
        f'<c r="{column_name(first_column + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


HEADER_ROW = inline_row(1, ["id", "name", "role"])
GOOD_ROWS = (
    HEADER_ROW + inline_row(2, ["m1", "Mia", "mentor"]) + inline_row(3, ["e1", "Eve", "mentee"])
)


def sheet_xml(rows: str, dimension: str = "A1:C3", prolog: str = "") -> bytes:
    """A worksheet part around `rows` (no `<dimension>` when `dimension` is empty);
    `prolog` goes before the root (a DOCTYPE, say)."""
    claim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
        f'<worksheet xmlns="{MAIN_NS}">{claim}<sheetData>{rows}</sheetData></worksheet>'
    ).encode()


Chunks = bytes | Callable[[], Iterator[bytes]]


def xlsx(
    path: Path,
    sheet: Chunks,
    shared: Chunks | None = None,
    *,
    stored: bool = False,
    extra: Iterable[tuple[str, bytes]] = (),
) -> None:
    """A minimal workbook written member by member, so a part may be huge and streamed.

    `sheet` and `shared` are a part's bytes or a function yielding its chunks; `stored`
    leaves them uncompressed (so that no compression-ratio check is what refuses them).
    """
    types = (
        f'<Types xmlns="{CT_NS}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT_SHEET}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT_SHEET}.worksheet+xml"/>'
    )
    rels = f'<Relationship Id="rId1" Type="{DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared is not None:
        types += (
            '<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{CT_SHEET}.sharedStrings+xml"/>'
        )
        rels += (
            f'<Relationship Id="rId2" Type="{DOC_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    parts: list[tuple[str, Chunks]] = [
        ("[Content_Types].xml", (types + "</Types>").encode()),
        (
            "_rels/.rels",
            (
                f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
                f'Type="{DOC_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            ).encode(),
        ),
        (
            "xl/workbook.xml",
            (
                f'<workbook xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}"><sheets>'
                '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{REL_NS}">{rels}</Relationships>'.encode(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ]
    if shared is not None:
        parts.append(("xl/sharedStrings.xml", shared))
    parts += list(extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", method) as book:
        for name, content in parts:
            with book.open(name, "w") as member:
                chunks = [content] if isinstance(content, bytes) else content()
                for chunk in chunks:
                    member.write(chunk)


XLSX_YAML = BASE_YAML.replace("participants.csv", "participants.xlsx")


def xlsx_program(folder: Path, sheet: Chunks, shared: Chunks | None = None, **kw: object) -> None:
    """A program whose roster is a workbook."""
    program(folder, XLSX_YAML, roster=None)
    xlsx(folder / "participants.xlsx", sheet, shared, **kw)  # type: ignore[arg-type]


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1 if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>"
)


# -- the cases -------------------------------------------------------------------------


def yaml_nested_lists(folder: Path) -> None:
    program(folder, BASE_YAML + "matching:\n  exclude: " + "[" * 1000 + "]" * 1000 + "\n")


def yaml_nested_mappings(folder: Path) -> None:
    lines = [" " * i + "a:" for i in range(1000)]
    program(folder, BASE_YAML + "matching:\n" + "\n".join(" " + line for line in lines) + " 1\n")


def yaml_many_values(folder: Path) -> None:
    program(folder, BASE_YAML + "matching:\n  exclude: [" + "0," * 60_000 + "0]\n")


def yaml_integer_5000_digits(folder: Path) -> None:
    program(folder, BASE_YAML + "matching:\n  capacity: " + "9" * 5000 + "\n")


def yaml_two_megabytes(folder: Path) -> None:
    program(folder, BASE_YAML + ("# " + "x" * 98 + "\n") * 20_000)


def yaml_fifo(folder: Path) -> None:
    program(folder)
    fifo(folder / "program.yaml")


def yaml_dev_zero(folder: Path) -> None:
    program(folder)
    dev_zero(folder / "program.yaml")


def roster_dev_zero(folder: Path) -> None:
    program(folder, roster=None)
    dev_zero(folder / "participants.csv")


def roster_fifo(folder: Path) -> None:
    program(folder, roster=None)
    fifo(folder / "participants.csv")


def roster_folder(folder: Path) -> None:
    program(folder, roster=None)
    (folder / "participants.csv").mkdir()


def roster_200_megabytes(folder: Path) -> None:
    program(folder, roster=None)
    sparse(folder / "participants.csv", 200_000_000)


def roster_million_columns(folder: Path) -> None:
    program(folder, roster="id,name,role," + ",".join(f"c{i}" for i in range(1_000_000)) + "\n")


def roster_million_cells_in_a_row(folder: Path) -> None:
    program(folder, roster=ROSTER + "m2,Max,mentor" + ",x" * 1_000_000 + "\n")


def roster_megabyte_cell(folder: Path) -> None:
    program(folder, roster="id,name,role,notes\nm1,Mia,mentor," + "x" * 1_000_000 + "\n")


def roster_40_000_character_cell(folder: Path) -> None:
    program(folder, roster="id,name,role,notes\nm1,Mia,mentor," + "x" * 40_000 + "\n")


def roster_200_000_rows(folder: Path) -> None:
    rows = "".join(f"m{i},Mia,mentor\n" for i in range(200_000))
    program(folder, roster="id,name,role\n" + rows)


def roster_integer_5000_digits(folder: Path) -> None:
    program(folder, roster="id,name,role,level\nm1,Mia,mentor," + "7" * 5000 + "\n")


def survey_million_columns(folder: Path) -> None:
    program(folder, BASE_YAML + SURVEY_YAML)
    header = "respondent,satisfaction," + ",".join(f"q{i}" for i in range(1_000_000))
    write(folder, "survey.csv", header + "\nm1,4\n")


def survey_rating_5000_digits(folder: Path) -> None:
    program(folder, BASE_YAML + SURVEY_YAML)
    write(folder, "survey.csv", "respondent,satisfaction\nm1," + "4" * 5000 + "\n")


def survey_fifo(folder: Path) -> None:
    program(folder, BASE_YAML + SURVEY_YAML)
    fifo(folder / "survey.csv")


def meetings_dev_zero(folder: Path) -> None:
    program(folder)
    dev_zero(folder / "meetings.csv")


def meetings_minutes_5000_digits(folder: Path) -> None:
    program(folder)
    write(
        folder, "meetings.csv", "pair,date,status,minutes\np1,2027-01-12,held," + "6" * 5000 + "\n"
    )


def pairings_fifo(folder: Path) -> None:
    program(folder)
    fifo(folder / "state" / "pairings.toml")


def pairings_200_megabytes(folder: Path) -> None:
    program(folder)
    sparse(folder / "state" / "pairings.toml", 200_000_000)


def pairings_nested_arrays(folder: Path) -> None:
    program(folder)
    write(folder, "state/pairings.toml", "version = " + "[" * 5000 + "]" * 5000 + "\n")


def pairings_integer_5000_digits(folder: Path) -> None:
    program(folder)
    write(folder, "state/pairings.toml", "version = " + "1" * 5000 + "\n")


def schedule_dev_zero(folder: Path) -> None:
    program(folder)
    dev_zero(folder / "state" / "schedule.toml")


def schedule_over_forty_megabytes(folder: Path) -> None:
    program(folder)
    sparse(folder / "state" / "schedule.toml", 41_000_000)


def survey_named_twelve_times(folder: Path) -> None:
    surveys = "".join("    - {file: survey.csv, kind: final}\n" for _ in range(12))
    program(folder, BASE_YAML + "evaluation:\n  surveys:\n" + surveys)
    write(folder, "survey.csv", "satisfaction\n" + "4\n" * 9_000)


def history_fifo(folder: Path) -> None:
    program(folder, BASE_YAML + "matching:\n  history: [old-pairings.toml]\n")
    fifo(folder / "old-pairings.toml")


def xlsx_cut_off_sheet(folder: Path) -> None:
    xlsx_program(folder, sheet_xml(GOOD_ROWS)[:-40])


def xlsx_billion_laughs(folder: Path) -> None:
    rows = HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    xlsx_program(folder, sheet_xml(rows, prolog=LAUGHS))


def xlsx_billion_laughs_in_shared_strings(folder: Path) -> None:
    rows = HEADER_ROW + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    shared = f'<?xml version="1.0"?>{LAUGHS}<sst xmlns="{MAIN_NS}"><si><t>&lol9;</t></si></sst>'
    xlsx_program(folder, sheet_xml(rows), shared.encode())


def xlsx_external_entity(folder: Path) -> None:
    prolog = '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    rows = HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>&secret;</t></is></c></row>'
    xlsx_program(folder, sheet_xml(rows, prolog=prolog))


def _repeated(head: bytes, body: bytes, times: int, tail: bytes) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        yield head
        block = body * 10_000
        for _ in range(times // 10_000):
            yield block
        yield tail

    return chunks


def xlsx_zip_bomb(folder: Path) -> None:
    # 150 MB of one row repeated, deflated ~300 to 1 (the 1.5 GB case, smaller)
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    whole = sheet_xml(HEADER_ROW + "@")
    head, tail = whole.split(b"@")
    xlsx_program(folder, _repeated(head, row, 150_000_000 // len(row), tail))


def xlsx_compression_ratio(folder: Path) -> None:
    # 30 MB that deflate ~300 to 1: small enough in total, but no export compresses so well
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    head, tail = sheet_xml(HEADER_ROW + "@").split(b"@")
    xlsx_program(folder, _repeated(head, row, 30_000_000 // len(row), tail))


def xlsx_many_shared_strings(folder: Path) -> None:
    # 1.1 million shared strings (the case had 40 million), as empty as can be
    def chunks() -> Iterator[bytes]:
        yield f'<?xml version="1.0"?><sst xmlns="{MAIN_NS}">'.encode()
        for _ in range(110):
            yield b"<si/>" * 10_000
        yield b"</sst>"

    rows = HEADER_ROW + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    xlsx_program(folder, sheet_xml(rows), chunks, stored=True)


def xlsx_dimension_lie(folder: Path) -> None:
    rows = (
        HEADER_ROW + '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    xlsx_program(folder, sheet_xml(rows, dimension="A1:XFD1048576"))


def xlsx_last_row_only(folder: Path) -> None:
    rows = HEADER_ROW + inline_row(1048576, ["m1", "Mia", "boss"])
    xlsx_program(folder, sheet_xml(rows, dimension="A1:XFD1048576"))


def xlsx_wide_row(folder: Path) -> None:
    rows = HEADER_ROW + inline_row(2, ["m1", "Mia", "mentor"]) + inline_row(3, ["x"], 5000)
    xlsx_program(folder, sheet_xml(rows))


def xlsx_200_000_rows(folder: Path) -> None:
    def chunks() -> Iterator[bytes]:
        head, tail = sheet_xml(HEADER_ROW + "@").split(b"@")
        yield head
        for start in range(2, 200_002, 10_000):
            yield "".join(
                f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>m{n}</t></is></c></row>'
                for n in range(start, start + 10_000)
            ).encode()
        yield tail

    xlsx_program(folder, chunks)


def xlsx_megabyte_cell(folder: Path) -> None:
    rows = HEADER_ROW + inline_row(2, ["m1", "x" * 1_000_000, "mentor"])
    xlsx_program(folder, sheet_xml(rows), stored=True)


def xlsx_number_5000_digits(folder: Path) -> None:
    level = f'<c r="D2"><v>{"1" * 5000}</v></c>'
    row = inline_row(2, ["m1", "Mia", "mentor"]).replace("</row>", level + "</row>")
    xlsx_program(folder, sheet_xml(inline_row(1, ["id", "name", "role", "level"]) + row))


def xlsx_shared_index_5000_digits(folder: Path) -> None:
    rows = HEADER_ROW + f'<row r="2"><c r="A2" t="s"><v>{"1" * 5000}</v></c></row>'
    shared = f'<sst xmlns="{MAIN_NS}"><si><t>m1</t></si></sst>'.encode()
    xlsx_program(folder, sheet_xml(rows), shared)


def xlsx_deep_elements(folder: Path) -> None:
    xlsx_program(folder, sheet_xml(GOOD_ROWS + "<x>" * 200_000 + "</x>" * 200_000), stored=True)


def xlsx_member_lies_about_size(folder: Path) -> None:
    xlsx_program(folder, sheet_xml(GOOD_ROWS))
    path = folder / "participants.xlsx"
    data = bytearray(path.read_bytes())
    # the sheet's uncompressed size, in both its headers, made 10 bytes
    with zipfile.ZipFile(path) as book:
        info = book.getinfo("xl/worksheets/sheet1.xml")
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = (10).to_bytes(4, "little")
            start += 4
    assert info.file_size > 10
    path.write_bytes(bytes(data))


def xlsx_many_members(folder: Path) -> None:
    xlsx_program(folder, sheet_xml(GOOD_ROWS), extra=((f"x/{i}", b"") for i in range(10_001)))


def xlsx_dev_zero(folder: Path) -> None:
    program(folder, XLSX_YAML, roster=None)
    dev_zero(folder / "participants.xlsx")


def roster_every_row_wrong(folder: Path) -> None:
    program(folder, roster="id,name,role\n" + "".join(f"m{i},Mia,boss\n" for i in range(19_000)))


def roster_million_blank_lines(folder: Path) -> None:
    program(folder, roster=ROSTER + "\n" * 1_100_000)


def roster_three_million_cells(folder: Path) -> None:
    row = "m1,Mia,mentor" + ",ab" * 990 + "\n"
    program(folder, roster="id,name,role\n" + row * 3_100)


def roster_named_25_times(folder: Path) -> None:
    rows = "".join(f"m{i},Mia,mentor\n" for i in range(1_000))
    files = ", ".join(["participants.csv"] * 25)
    program(folder, BASE_YAML.replace("[participants.csv]", f"[{files}]"), "id,name,role\n" + rows)


def pairings_every_table_wrong(folder: Path) -> None:
    program(folder)
    tables = "".join(f"[pairs.p{i}]\nmentor = 'm'\n" for i in range(20_000))
    write(folder, "state/pairings.toml", tables)


def pairings_only_table_headers(folder: Path) -> None:
    program(folder)
    write(folder, "state/pairings.toml", "".join(f"[p{i}]\n" for i in range(380_000)))


def pairings_dense_tables(folder: Path) -> None:
    program(folder)
    table = "[pairs.p{}]\nmentor = 'm'\nmentee = 'e'\nsince = 2027-01-11\nscore = 0.5\n"
    write(folder, "state/pairings.toml", "".join(table.format(i) for i in range(15_000)))


def xlsx_element_flood(folder: Path) -> None:
    rows = GOOD_ROWS + '<row r="4">' + "<c/>" * 1_600_000 + "</row>"
    xlsx_program(folder, sheet_xml(rows), stored=True)


@dataclass(frozen=True)
class Case:
    """One hostile input and the words `validate` must answer it with."""

    build: Callable[[Path], None]
    expect: str
    exit: int = 1


CASES: dict[str, Case] = {
    "yaml_nested_lists": Case(yaml_nested_lists, "nested more than"),
    "yaml_nested_mappings": Case(yaml_nested_mappings, "nested more than"),
    "yaml_many_values": Case(yaml_many_values, "values; at most"),
    "yaml_integer_5000_digits": Case(yaml_integer_5000_digits, "digits"),
    "yaml_two_megabytes": Case(yaml_two_megabytes, "larger than"),
    "yaml_fifo": Case(yaml_fifo, "is not a regular file"),
    "yaml_dev_zero": Case(yaml_dev_zero, "is not a regular file"),
    "roster_dev_zero": Case(roster_dev_zero, "not a regular file"),
    "roster_fifo": Case(roster_fifo, "not a regular file"),
    "roster_folder": Case(roster_folder, "a folder, not a file"),
    "roster_200_megabytes": Case(roster_200_megabytes, "larger than"),
    "roster_million_columns": Case(roster_million_columns, "columns; at most"),
    "roster_million_cells_in_a_row": Case(roster_million_cells_in_a_row, "columns; at most"),
    "roster_megabyte_cell": Case(roster_megabyte_cell, "characters; at most"),
    "roster_40_000_character_cell": Case(roster_40_000_character_cell, "characters; at most"),
    "roster_200_000_rows": Case(roster_200_000_rows, "rows; at most"),
    "roster_integer_5000_digits": Case(roster_integer_5000_digits, "digits"),
    "survey_million_columns": Case(survey_million_columns, "columns; at most"),
    "survey_rating_5000_digits": Case(survey_rating_5000_digits, "digits) is outside"),
    "survey_fifo": Case(survey_fifo, "not a regular file"),
    "meetings_dev_zero": Case(meetings_dev_zero, "not a regular file"),
    "meetings_minutes_5000_digits": Case(meetings_minutes_5000_digits, "digits"),
    "pairings_fifo": Case(pairings_fifo, "not a regular file"),
    "pairings_200_megabytes": Case(pairings_200_megabytes, "larger than"),
    "pairings_nested_arrays": Case(pairings_nested_arrays, "nested too deeply"),
    "pairings_integer_5000_digits": Case(pairings_integer_5000_digits, "digits"),
    "schedule_dev_zero": Case(schedule_dev_zero, "not a regular file"),
    "schedule_over_forty_megabytes": Case(
        schedule_over_forty_megabytes, "larger than 40,000,000 bytes"
    ),
    "survey_named_twelve_times": Case(survey_named_twelve_times, "all survey exports together"),
    "history_fifo": Case(history_fifo, "not a regular file"),
    "xlsx_cut_off_sheet": Case(xlsx_cut_off_sheet, "cannot read the workbook"),
    "xlsx_billion_laughs": Case(xlsx_billion_laughs, "DOCTYPE"),
    "xlsx_billion_laughs_in_shared_strings": Case(xlsx_billion_laughs_in_shared_strings, "DOCTYPE"),
    "xlsx_external_entity": Case(xlsx_external_entity, "DOCTYPE"),
    "xlsx_zip_bomb": Case(xlsx_zip_bomb, "unpacks to"),
    "xlsx_compression_ratio": Case(xlsx_compression_ratio, "compressed"),
    "xlsx_many_shared_strings": Case(xlsx_many_shared_strings, "shared strings; at most"),
    "xlsx_dimension_lie": Case(xlsx_dimension_lie, "columns; at most"),
    # the one row is read at its own line, without padding a million rows before it
    "xlsx_last_row_only": Case(xlsx_last_row_only, "participants.xlsx:1048576:3: error: role is"),
    "xlsx_wide_row": Case(xlsx_wide_row, "columns; at most"),
    "xlsx_200_000_rows": Case(xlsx_200_000_rows, "rows; at most"),
    "xlsx_megabyte_cell": Case(xlsx_megabyte_cell, "characters; at most"),
    "xlsx_number_5000_digits": Case(
        xlsx_number_5000_digits, "participants.xlsx:2:4: error: level: 5,000 digits"
    ),
    "xlsx_shared_index_5000_digits": Case(
        xlsx_shared_index_5000_digits, "cannot read the workbook"
    ),
    "xlsx_deep_elements": Case(xlsx_deep_elements, "nested more than"),
    "xlsx_member_lies_about_size": Case(xlsx_member_lies_about_size, "cannot read the workbook"),
    "xlsx_many_members": Case(xlsx_many_members, "parts; at most"),
    "xlsx_dev_zero": Case(xlsx_dev_zero, "not a regular file"),
    "xlsx_element_flood": Case(xlsx_element_flood, "XML elements; at most"),
    "roster_every_row_wrong": Case(roster_every_row_wrong, "more than 1,000 problems"),
    "roster_million_blank_lines": Case(roster_million_blank_lines, "lines; at most"),
    "roster_three_million_cells": Case(roster_three_million_cells, "cells; at most"),
    "roster_named_25_times": Case(roster_named_25_times, "all roster files together"),
    "pairings_every_table_wrong": Case(pairings_every_table_wrong, "more than 1,000 problems"),
    "pairings_only_table_headers": Case(pairings_only_table_headers, "tables ([...] lines)"),
    "pairings_dense_tables": Case(pairings_dense_tables, "more than 1,000 problems"),
}


def snapshot(folder: Path) -> dict[str, object]:
    """Each entry of the folder: its kind and size, and the bytes of small regular files."""
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        small = path.is_file() and not path.is_symlink() and info.st_size < 5_000_000
        found[str(path.relative_to(folder))] = (
            info.st_mode,
            info.st_size,
            info.st_mtime_ns,
            path.read_bytes() if small else None,
        )
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input(name: str, tmp_path: Path) -> None:
    """validate refuses the input with its own message, in bounded time and memory."""
    case = CASES[name]
    folder = tmp_path / name
    folder.mkdir()
    case.build(folder)
    before = snapshot(folder)
    outcome = run_validate(folder, timeout=4 * MAX_SECONDS)
    shown = f"{name}: exit {outcome.exit}, {outcome.seconds:.1f} s, {outcome.peak_mb:.0f} MB\n"
    shown += outcome.output[-3000:]
    assert outcome.exit == case.exit, shown
    assert "Traceback" not in outcome.output, shown
    assert "hit a bug" not in outcome.output, shown
    assert case.expect in outcome.output, shown
    assert outcome.seconds < MAX_SECONDS, shown
    assert outcome.peak_mb < MAX_MB, shown
    assert snapshot(folder) == before, f"{name}: validate changed the folder"
