"""Bounded reading: regular files under their cap only, and workbooks read as Excel wrote them."""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from rmentor.files.reading import (
    InputRefused,
    NoSuchSheet,
    NotAWorkbook,
    Refused,
    cell_text,
    read_capped,
    read_sheet,
)

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")


def test_a_regular_file_under_its_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"x" * 100)
    assert read_capped(path, 100) == b"x" * 100


def test_a_file_over_its_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    with path.open("wb") as handle:
        handle.truncate(10**12)  # a terabyte, sparse: reading it would never end
    with pytest.raises(InputRefused, match="larger than 100 bytes"):
        read_capped(path, 100)


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_capped(tmp_path / "nothing.csv", 100)


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputRefused, match="a folder, not a file"):
        read_capped(tmp_path, 100)


@posix_only
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    with pytest.raises(InputRefused, match="named pipe"):
        read_capped(path, 100)


@posix_only
def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "zero.csv"
    os.symlink("/dev/zero", path)
    with pytest.raises(InputRefused, match="a device, not a regular file"):
        read_capped(path, 100)


def test_a_symlink_to_a_regular_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_bytes(b"id\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    assert read_capped(tmp_path / "link.csv", 100) == b"id\n"


def workbook(rows: list[list[object]], date1904: bool = False) -> bytes:
    book = Workbook()
    if date1904:
        book.epoch = dt.datetime(1904, 1, 1)
    sheet = book.active
    assert sheet is not None
    sheet.title = "People"
    for row in rows:
        sheet.append(row)
    book.create_sheet("Second").append(["other"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROWS: list[list[object]] = [
    ["id", "name", "level", "hire date", "when", "flag", "ratio", "empty", "text"],
    ["m1", "Mia", 3, dt.date(2024, 3, 1), dt.datetime(2001, 5, 6, 7, 8, 9), True, 0.25, None, "x"],
    [
        "e1",
        "  Eve  ",
        7.0,
        dt.datetime(2020, 1, 1),
        dt.time(9, 30),
        False,
        1e-7,
        None,
        "Jos\u0065\u0301",
    ],
    [],
    [None, None, None, None, None, None, None, None, "last"],
]


def openpyxl_rows(data: bytes) -> list[tuple[int, tuple[str, ...]]]:
    """The rows as openpyxl reads them (data only), made text as the old reader did."""
    import unicodedata

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    found = []
    for number, values in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
        cells = [unicodedata.normalize("NFC", cell_text(v)).strip() for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            found.append((number, tuple(cells)))
    book.close()
    return found


@pytest.mark.parametrize("date1904", [False, True])
def test_a_workbook_reads_as_openpyxl_reads_it(date1904: bool) -> None:
    """Numbers, dates, times, booleans, blanks and text: the same cells as openpyxl."""
    data = workbook(ROWS, date1904)
    assert read_sheet(data) == openpyxl_rows(data)
    assert read_sheet(data)[1] == (
        2,
        ("m1", "Mia", "3", "2024-03-01", "2001-05-06T07:08:09", "true", "0.25", "", "x"),
    )


def test_a_named_sheet_and_a_missing_one() -> None:
    data = workbook(ROWS)
    assert read_sheet(data, "Second") == [(1, ("other",))]
    with pytest.raises(NoSuchSheet) as caught:
        read_sheet(data, "Third")
    assert caught.value.names == ("People", "Second")


def test_not_a_zip_is_not_a_workbook() -> None:
    with pytest.raises(NotAWorkbook):
        read_sheet(b"id,name\n")


def test_rows_past_the_limit_are_refused_at_their_line() -> None:
    data = workbook([["id"], *([f"m{i}"] for i in range(5))])
    assert len(read_sheet(data, max_rows=5)) == 6
    with pytest.raises(Refused) as caught:
        read_sheet(data, max_rows=4)
    assert (caught.value.line, caught.value.column) == (6, 1)
