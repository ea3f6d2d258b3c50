"""Generate a realistic program folder with N mentors and N mentees.

    python benchmarks/generate.py OUT_DIR --mentors 2000 --mentees 2000 [--seed 1]

The program.yaml is the sample program's, with the roster replaced and its locked
and excluded pairs removed. People work in three offices and three time zones, in a
hierarchy: every mentor reports (through a chain) to a senior colleague, so the
reporting-line rule has real work to do. The three survey exports of the sample
(`feedback/`, same headers and formats: Google Forms CSV, Microsoft Forms .xlsx) are
written again with answers from most of the generated people.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rmentor.model.people import PARTICIPANT_FIELDS

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_program"

DEPARTMENTS = [
    "Sales",
    "Operations",
    "Finance",
    "Engineering",
    "HR",
    "Marketing",
    "Customer Service",
    "Legal",
    "Procurement",
    "IT",
    "Logistics",
    "Strategy",
]
OFFICES = [
    ("Berlin", "Europe/Berlin", ["German", "English"]),
    ("London", "Europe/London", ["English", "French"]),
    ("New York", "America/New_York", ["English", "Spanish"]),
]
TOPICS = [
    "social-media",
    "video-meetings",
    "ai-assistants",
    "dashboards",
    "collaboration",
    "mobile",
    "security",
    "linkedin",
    "short-video",
    "automation",
]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]
FIRST = [
    "Anna",
    "Ben",
    "Chen",
    "Dana",
    "Emre",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
]
LAST = [
    "Adams",
    "Berg",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kim",
    "Lopez",
    "Meyer",
    "Novak",
    "Okafor",
    "Park",
]
HEADER = list(PARTICIPANT_FIELDS)


def _availability(rng: random.Random) -> str:
    windows = []
    for day in sorted(rng.sample(DAYS, rng.randint(2, 4)), key=DAYS.index):
        start = rng.choice([8, 9, 10, 11, 13, 14, 15])
        windows.append(f"{day} {start:02d}:00-{start + rng.choice([2, 3]):02d}:00")
    return "; ".join(windows)


def generate(
    out: Path, mentors: int, mentees: int, seed: int = 1, everyone_answers: bool = False
) -> Path:
    """Write a program folder to `out` and return it."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    yaml = (SAMPLE / "program.yaml").read_text(encoding="utf-8")
    yaml = re.sub(r"  locked:.*\n(    - .*\n)*", "  locked: []\n", yaml)
    yaml = re.sub(r"  excluded:.*\n(    - .*\n)*", "  excluded: []\n", yaml)
    (out / "program.yaml").write_text(yaml, encoding="utf-8")
    rows = []
    seniors = [f"S{i:06d}" for i in range(mentees)]
    for i, pid in enumerate(seniors):
        office, zone, langs = rng.choice(OFFICES)
        level = rng.choice([5, 6, 6, 7, 7, 8])
        # Seniors report to a senior of a higher index block: a forest of chains.
        manager = seniors[rng.randrange(0, i)] if i > 20 and rng.random() < 0.8 else ""
        rows.append(
            [
                pid,
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                f"{pid.lower()}@example.com",
                "mentee",
                rng.choice(DEPARTMENTS),
                "Director",
                level,
                manager,
                rng.randint(1962, 1982),
                f"{rng.randint(1995, 2015)}-0{rng.randint(1, 9)}-15",
                "",
                ";".join(rng.sample(TOPICS, rng.randint(2, 4))),
                zone,
                _availability(rng),
                office,
                ";".join(langs),
                rng.choice(["female", "male"]),
                "",
                "",
                "",
                "",
            ]
        )
    for i in range(mentors):
        pid = f"J{i:06d}"
        office, zone, langs = rng.choice(OFFICES)
        prefer = ""
        rows.append(
            [
                pid,
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                f"{pid.lower()}@example.com",
                "mentor",
                rng.choice(DEPARTMENTS),
                "Analyst",
                rng.choice([1, 2, 2, 3]),
                rng.choice(seniors) if seniors else "",
                rng.randint(1994, 2004),
                f"{rng.randint(2019, 2025)}-0{rng.randint(1, 9)}-01",
                ";".join(rng.sample(TOPICS, rng.randint(2, 4))),
                "",
                zone,
                _availability(rng),
                office,
                ";".join(langs),
                rng.choice(["female", "male", "non-binary"]),
                2 if rng.random() < 0.1 else "",
                prefer,
                "",
                "",
            ]
        )
    for row in rows[:mentees]:
        if rng.random() < 0.05 and mentors:
            row[18] = f"J{rng.randrange(mentors):06d}"
        if rng.random() < 0.02 and mentors:
            row[19] = f"J{rng.randrange(mentors):06d}"
    rng.shuffle(rows)
    with (out / "participants.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    people = [(str(row[0]), str(row[1]), str(row[3])) for row in rows]
    write_surveys(out, people, rng, everyone_answers)
    return out


SCALE = {
    1: "1 - Not at all",
    2: "2 - Somewhat",
    3: "3 - Moderately",
    4: "4 - Very",
    5: "5 - Extremely",
}
COMMENTS = [
    "",
    "",
    "",
    "Great sessions, very practical.",
    "We struggled to find time in March.",
    "I now use an AI assistant for first drafts.",
    "More structure in the first weeks would help.",
]


def _answer(header: str, rng: random.Random, boost: int) -> object:
    """A plausible answer for one survey column, read from its header text."""
    low = header.lower()
    if "good fit" in low:  # the fit check's options, through the sample's values
        return rng.choices(
            ["Yes, a good match", "Not sure yet", "No, not a good match"], [8, 2, 1]
        )[0]
    if "anything we should know" in low:
        return ""
    if "recommend" in low:
        return rng.randint(5, 10)
    if "comment" in low or "anything else" in low:
        return rng.choice(COMMENTS)
    rating = min(5, max(1, rng.randint(1, 4) + boost))
    return rating


def write_surveys(
    out: Path, people: list[tuple[str, str, str]], rng: random.Random, everyone: bool = False
) -> None:
    """Write pre, midpoint and final exports with the sample's headers and formats
    (`everyone`: one answer per person in each, for the report benchmark)."""
    import openpyxl

    feedback = out / "feedback"
    feedback.mkdir(exist_ok=True)
    exports = (
        ("pre-survey.csv", 0.85, 0),
        ("fit-check.csv", 0.8, 1),
        ("midpoint-survey.csv", 0.6, 1),
    )
    for name, share, boost in exports:
        with (SAMPLE / "feedback" / name).open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle))
        with (feedback / name).open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
            writer.writerow(header)
            for pid, _, role in people:
                if not everyone and rng.random() >= share:
                    continue
                row: list[object] = []
                for column in header:
                    if column == "Timestamp":
                        row.append("2027/01/04 1:55:37 PM GMT+1")
                    elif column == "Your employee ID":
                        row.append(pid if rng.random() < 0.9 else "")
                    elif column == "Your role in the program":
                        row.append(role)
                    else:
                        value = _answer(column, rng, boost)
                        row.append(
                            SCALE[value]
                            if isinstance(value, int) and "(0-10)" not in column
                            else value
                        )
                writer.writerow(row)
    sample = openpyxl.load_workbook(SAMPLE / "feedback" / "final-survey.xlsx", read_only=True)
    header = [str(cell) for cell in next(sample.active.iter_rows(max_row=1, values_only=True))]
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(header)
    start = dt.datetime(2027, 6, 14, 16, 4)
    for number, (pid, name, _) in enumerate(people, start=1):
        if not everyone and rng.random() >= 0.7:
            continue
        row = []
        for column in header:
            if column == "ID":
                row.append(number)
            elif column in ("Start time", "Completion time"):
                row.append(start)
            elif column == "Email":
                row.append(f"{pid.lower()}@example.com")
            elif column == "Name":
                row.append(name)
            elif column == "Employee ID":
                row.append(pid)
            else:
                row.append(_answer(column, rng, 2))
        sheet.append(row)
    book.save(feedback / "final-survey.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--mentors", type=int, default=100)
    parser.add_argument("--mentees", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    generate(args.out, args.mentors, args.mentees, args.seed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
