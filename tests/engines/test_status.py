"""The `status` dashboard: phase, attendance, pairs at risk, milestones, the command."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from typer.testing import CliRunner

from rmentor.cli.app import app as main_app
from rmentor.cli.meetings import status_command
from rmentor.cli.options import handles_errors
from rmentor.engines.status import (
    MISSED,
    SILENT,
    Status,
    build_status,
    next_milestones,
    program_phase,
)
from rmentor.errors import Location
from rmentor.files.layout import MEETINGS_FILE
from rmentor.files.state import read_pairings, write_schedule
from rmentor.model.activity import Meeting, MeetingStatus
from rmentor.model.config import ProgramConfig
from rmentor.model.pairings import Pairing, PairingState, pair_id
from rmentor.model.people import Participant
from rmentor.model.sessions import PairPlan, Schedule, Session, Slot
from tests.conftest import SAMPLE

START, END = dt.date(2027, 1, 11), dt.date(2027, 6, 25)  # Mondays to a Friday; 24 weeks
ZONE = ZoneInfo("Europe/Berlin")
D = dt.date


def config(
    cadence: str = "weekly", milestones: Sequence[Mapping[str, object]] = ()
) -> ProgramConfig:
    return ProgramConfig.model_validate(
        {
            "program": {
                "name": "Test",
                "organization": "Testco",
                "leader": {"name": "Lee"},
                "start": START,
                "end": END,
            },
            "meetings": {"cadence": cadence, "milestones": list(milestones)},
        }
    )


PEOPLE = [
    Participant(id=i, name=n, role=r, source=Location("p.csv", k + 2))
    for k, (i, n, r) in enumerate(
        [
            ("M1", "Mia", "mentor"),
            ("S1", "Sam", "mentee"),
            ("M2", "Max", "mentor"),
            ("S2", "Sue", "mentee"),
        ]
    )
]
A = Pairing("M1", "S1", 1.0, D(2027, 1, 4))
B = Pairing("M2", "S2", 1.0, D(2027, 1, 4))
PAIRS = PairingState((A, B))


def weekly(pair: Pairing, first: dt.date, count: int, status: str = "planned") -> PairPlan:
    """`count` sessions a week apart from `first`, at 10:00 in Berlin."""
    sessions = tuple(
        Session(
            pair=pair.id,
            number=n + 1,
            start=dt.datetime.combine(first + dt.timedelta(weeks=n), dt.time(10), ZONE),
            end=dt.datetime.combine(first + dt.timedelta(weeks=n), dt.time(11), ZONE),
            theme="",
            status=status,  # type: ignore[arg-type]
        )
        for n in range(count)
    )
    return PairPlan(
        pair.id,
        pair.mentor,
        pair.mentee,
        Slot(first.weekday(), dt.time(10), "Europe/Berlin"),
        sessions,
    )


def log(pair: Pairing, day: dt.date, status: MeetingStatus = "held") -> Meeting:
    return Meeting(pair.id, day, status, 60 if status == "held" else None)


def status_of(
    today: dt.date,
    meetings: Sequence[Meeting] = (),
    plans: Sequence[PairPlan] = (),
    pairs: PairingState = PAIRS,
    cadence: str = "weekly",
) -> Status:
    return build_status(
        config(cadence), PEOPLE, pairs, Schedule(tuple(plans)), list(meetings), today
    )


def risk(
    today: dt.date,
    meetings: Sequence[Meeting] = (),
    plans: Sequence[PairPlan] = (),
    cadence: str = "weekly",
) -> str | None:
    found = status_of(today, meetings, plans, cadence=cadence)
    return next(p.at_risk for p in found.pairs if p.pair == A.id)


# -- phase and counts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "phase", "week"),
    [
        (D(2027, 1, 10), "not started", None),
        (D(2027, 1, 11), "week 1 of 24", 1),
        (D(2027, 1, 17), "week 1 of 24", 1),
        (D(2027, 1, 18), "week 2 of 24", 2),
        (D(2027, 6, 25), "week 24 of 24", 24),
        (D(2027, 6, 26), "ended", None),
    ],
)
def test_phase(today: dt.date, phase: str, week: int | None) -> None:
    assert program_phase(START, END, today) == (phase, week, 24)


def test_counts_and_attendance() -> None:
    plans = [weekly(A, D(2027, 1, 12), 10), weekly(B, D(2027, 1, 13), 10)]
    cancelled = weekly(A, D(2027, 1, 14), 1, status="cancelled")  # never counted as planned
    plans[0] = PairPlan(
        A.id, A.mentor, A.mentee, plans[0].slot, plans[0].sessions + cancelled.sessions
    )
    meetings = [
        log(A, D(2027, 1, 12)),
        log(A, D(2027, 1, 19), "cancelled"),
        log(A, D(2027, 1, 26)),
        log(B, D(2027, 1, 13)),
        log(B, D(2027, 1, 20), "no-show"),
        log(B, D(2027, 1, 27)),
        log(B, D(2027, 2, 3)),  # after today: not counted
    ]
    found = status_of(D(2027, 1, 27), meetings, plans)
    assert (found.planned, found.held, found.cancelled, found.no_show) == (6, 4, 1, 1)
    assert found.attendance_rate == pytest.approx(4 / 6)
    row = found.pairs[0]
    assert (row.pair, row.mentor_name, row.mentee_name, row.planned, row.held, row.missed) == (
        A.id,
        "Mia",
        "Sam",
        3,
        2,
        1,
    )
    assert row.last_meeting == D(2027, 1, 26)
    assert (found.pairs_active, found.pairs_withdrawn, found.phase) == (2, 0, "week 3 of 24")
    data = json.loads(json.dumps(found.to_json()))
    assert data["attendance_rate"] == pytest.approx(4 / 6)
    assert data["pairs"][0]["last_meeting"] == "2027-01-26"
    assert data["today"] == "2027-01-27"


def test_attendance_is_none_without_a_plan() -> None:
    found = status_of(D(2027, 1, 20), [log(A, D(2027, 1, 12))])
    assert (found.planned, found.held, found.attendance_rate) == (0, 1, None)
    assert found.notes == ("no schedule yet: run `rmentor schedule` to plan sessions",)
    empty = status_of(D(2027, 1, 20), pairs=PairingState())
    assert empty.notes == ("no pairs yet: run `rmentor match`",)


def test_withdrawn_pairs_count_planned_sessions_until_their_end_and_are_never_at_risk() -> None:
    gone = Pairing("M2", "S2", 1.0, D(2027, 1, 4), status="withdrawn", ended=D(2027, 1, 21))
    state = PairingState((A, gone))
    found = status_of(D(2027, 3, 1), [], [weekly(gone, D(2027, 1, 13), 10)], pairs=state)
    row = next(p for p in found.pairs if p.pair == gone.id)
    assert (row.state, row.planned, row.at_risk) == ("withdrawn", 2, None)
    assert (found.pairs_active, found.pairs_withdrawn) == (1, 1)
    assert found.pairs[0].pair == A.id  # active pairs first


# -- at risk --------------------------------------------------------------------------


def test_two_missed_in_a_row_from_the_log() -> None:
    meetings = [
        log(A, D(2027, 1, 12)),
        log(A, D(2027, 1, 19), "cancelled"),
        log(A, D(2027, 1, 26), "no-show"),
    ]
    assert risk(D(2027, 1, 27), meetings) == (
        "two missed in a row: cancelled on 2027-01-19, then no-show on 2027-01-26"
    )
    assert risk(D(2027, 1, 27), meetings[:2]) is None  # one miss is not a pattern
    assert risk(D(2027, 1, 28), [*meetings, log(A, D(2027, 1, 28))]) is None  # met again


def test_planned_sessions_without_an_entry_count_as_missed() -> None:
    plan = [weekly(A, D(2027, 1, 12), 10)]
    held = [log(A, D(2027, 1, 12))]
    # the session of 2027-01-26 is today: not missed yet
    assert risk(D(2027, 1, 26), held, plan) is None
    assert risk(D(2027, 1, 27), held, plan) == (
        "two missed in a row: session 2 on 2027-01-19 not logged, "
        "then session 3 on 2027-01-26 not logged"
    )
    # an entry one day off accounts for the session nearest to it
    moved = [*held, log(A, D(2027, 1, 20)), log(A, D(2027, 1, 25))]
    assert risk(D(2027, 1, 27), moved, plan) is None
    # a cancellation, then a session that passed unlogged
    mixed = [*held, log(A, D(2027, 1, 19), "cancelled")]
    assert risk(D(2027, 1, 27), mixed, plan) == (
        "two missed in a row: cancelled on 2027-01-19, then session 3 on 2027-01-26 not logged"
    )


def test_no_meeting_for_three_cadence_periods() -> None:
    held = [log(A, D(2027, 1, 12))]
    assert risk(D(2027, 2, 1), held) is None  # 20 days
    assert risk(D(2027, 2, 2), held) == "no meeting held for 3 weeks (last on 2027-01-12)"
    # a pair that never met: counted from the program's start, once it ran that long
    assert risk(D(2027, 1, 31)) is None
    assert risk(D(2027, 2, 1)) == "no meeting held in the 3 weeks since 2027-01-11"
    # cancellations are not meetings
    cancelled = [*held, log(A, D(2027, 1, 26), "cancelled")]
    assert risk(D(2027, 2, 2), cancelled) == "no meeting held for 3 weeks (last on 2027-01-12)"
    assert risk(D(2027, 2, 22), held, cadence="biweekly") is None  # 41 days
    assert risk(D(2027, 2, 23), held, cadence="biweekly") is not None  # 42 days
    assert risk(D(2027, 4, 12), held, cadence="monthly") is None  # 90 days
    assert risk(D(2027, 4, 13), held, cadence="monthly") is not None  # 91 days


def test_a_pair_formed_later_is_counted_from_its_start() -> None:
    late = Pairing("M1", "S1", 1.0, D(2027, 3, 1))
    found = status_of(D(2027, 3, 15), pairs=PairingState((late,)))
    assert found.pairs[0].at_risk is None
    found = status_of(D(2027, 3, 22), pairs=PairingState((late,)))
    assert found.pairs[0].at_risk == "no meeting held in the 3 weeks since 2027-03-01"


def test_nothing_is_at_risk_before_the_start_and_both_reasons_are_given() -> None:
    assert risk(D(2027, 1, 10)) is None
    plan = [weekly(A, D(2027, 1, 12), 10)]
    reason = risk(D(2027, 2, 10), [log(A, D(2027, 1, 12))], plan)
    assert reason is not None
    assert reason.startswith("two missed in a row: session 4 on 2027-02-02 not logged")
    assert reason.endswith("; no meeting held for 4 weeks (last on 2027-01-12)")
    found = status_of(D(2027, 2, 10), [log(A, D(2027, 1, 12))], plan)
    assert next(p.risks for p in found.pairs if p.pair == A.id) == (MISSED, SILENT)
    # after the end, the silence is measured up to the end
    assert risk(D(2027, 12, 1), [log(A, D(2027, 6, 20))]) is None


# -- milestones -----------------------------------------------------------------------


def test_next_milestones_in_order() -> None:
    items = [
        {"name": "Final survey", "date": "2027-06-14", "kind": "final_survey"},
        {"name": "Celebration", "date": "2027-06-24", "kind": "celebration"},
        {"name": "Kickoff", "date": "2027-01-11", "kind": "kickoff"},
        {"name": "Mentee briefing", "date": "2027-04-05", "time": "15:00"},
        {"name": "Midpoint survey", "date": "2027-04-05", "time": "09:00"},
        {"name": "All-day retro", "date": "2027-04-05"},
    ]
    milestones = config(milestones=items).meetings.milestones
    assert [m.name for m in next_milestones(milestones, D(2027, 4, 5))] == [
        "All-day retro",
        "Midpoint survey",
        "Mentee briefing",
    ]
    assert [m.name for m in next_milestones(milestones, D(2027, 4, 6))] == [
        "Final survey",
        "Celebration",
    ]
    assert next_milestones(milestones, D(2027, 7, 1)) == ()
    assert next_milestones(milestones, D(2027, 4, 5))[1].to_json() == {
        "name": "Midpoint survey",
        "date": "2027-04-05",
        "time": "09:00",
        "kind": "other",
        "audience": "everyone",
    }


# -- the `status` command on the sample program ------------------------------------------

runner = CliRunner()
tracking_app = typer.Typer()
tracking_app.command("status")(handles_errors(status_command))
tracking_app.callback()(lambda: None)  # a group, so that `status` is a subcommand
TODAY = "2027-02-26"  # the end of week 7: six weeks of sessions after the trainings
AT_RISK = {pair_id("E2114", "E1002"), pair_id("E2106", "E1010")}  # silent; two missed


@pytest.fixture(scope="module")
def sample_with_schedule(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample after `match`, with a hand-made weekly schedule on each pair's first day."""
    folder = tmp_path_factory.mktemp("status") / "sample"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns("out", "state"))
    result = runner.invoke(main_app, ["match", "--program", str(folder), "--today", "2027-01-04"])
    assert result.exit_code == 0, result.output
    first: dict[str, dt.date] = {}
    for line in (folder / MEETINGS_FILE).read_text(encoding="utf-8").splitlines()[1:]:
        pair, day = line.split(",")[:2]
        first.setdefault(pair, D.fromisoformat(day))
    state = read_pairings(folder)
    plans = tuple(weekly(p, first[p.id], 24) for p in state.pairs)
    write_schedule(folder, Schedule(plans))
    return folder


def run_status(folder: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(tracking_app, ["status", "--program", str(folder), *args])
    return result.exit_code, result.stdout, result.stderr


def test_status_json_on_the_sample(sample_with_schedule: Path) -> None:
    code, out, err = run_status(sample_with_schedule, "--today", TODAY, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["phase"] == "week 7 of 24"
    assert data["pairs_active"] == 18
    assert {item["pair"] for item in data["at_risk"]} == AT_RISK
    assert data["sessions_planned"] == 18 * 6
    assert 0.85 <= data["attendance_rate"] <= 0.95
    assert [m["name"] for m in data["milestones"]] == [
        "Midpoint survey opens",
        "Final survey opens",
        "Closing celebration",
    ]


def test_status_tables_on_the_sample(sample_with_schedule: Path) -> None:
    code, out, err = run_status(sample_with_schedule, "--today", TODAY)
    assert code == 0, err
    for text in ("week 7 of 24", "Summary", "Pairs at risk", "Next milestones", *AT_RISK):
        assert text in out
    code, out, _ = run_status(sample_with_schedule, "--today", "2027-01-04")
    assert code == 0
    assert "not started" in out
    assert "Pairs at risk" not in out


def test_status_reports_a_broken_log(sample_with_schedule: Path, tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(sample_with_schedule, folder)
    log = folder / MEETINGS_FILE
    line = len(log.read_text(encoding="utf-8").splitlines()) + 1  # the row added below
    with log.open("a", encoding="utf-8") as handle:
        handle.write("nosuchpair,2027-02-30,held,,,\n")
    code, _, err = run_status(folder, "--today", TODAY)
    assert code == 1
    assert f"meetings.csv:{line}:2: error: date: `2027-02-30` is not a date that exists" in err
