"""`rmentor schedule` end to end on the sample program: state, calendars, re-runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import icalendar
import recurring_ical_events
from typer.testing import CliRunner

from rmentor.cli.app import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def scheduled(sample: Path, today: str) -> dict[str, object]:
    code, out, err = run("schedule", "--json", "--today", today, "--program", str(sample))
    assert code == 0, err
    return dict(json.loads(out))


def test_schedule_needs_pairs_first(sample: Path) -> None:
    code, _, err = run("schedule", "--program", str(sample), "--today", "2027-01-04")
    assert code == 1
    assert "run `rmentor match` first" in err
    assert not (sample / "state" / "schedule.toml").exists()


def test_calendars_hold_every_session_of_the_schedule(sample: Path) -> None:
    assert run("match", "-q", "--today", "2027-01-04", "--program", str(sample))[0] == 0
    code, out, _ = run("schedule", "--today", "2027-01-04", "--program", str(sample))
    assert code == 0
    assert "18 pairs" in out
    data = scheduled(sample, "2027-01-04")
    sessions = data["sessions"]
    assert isinstance(sessions, list)
    assert len(sessions) > 18 * 20
    assert {m["kind"] for m in data["milestones"]} >= {"kickoff", "final_survey"}  # type: ignore[union-attr]
    calendars = sample / "out" / "calendars"
    files = sorted(p.name for p in calendars.iterdir())
    assert "coordinator.ics" in files
    assert len(files) == 19
    expected = {(s["pair"], dt.datetime.fromisoformat(s["start"])) for s in sessions}
    found = set()
    for name in files:
        if name == "coordinator.ics":
            continue
        cal = icalendar.Calendar.from_ical((calendars / name).read_bytes())
        assert cal.walk("VTIMEZONE"), name
        for event in cal.walk("VEVENT"):
            uid = str(event["UID"])
            if uid.startswith("milestone"):
                continue
            assert uid.startswith(name.removesuffix(".ics") + "-")
            found.add((name.removesuffix(".ics"), event.decoded("DTSTART")))
            assert event.get("ORGANIZER") is not None
            assert len(event.get("ATTENDEE")) == 2
    assert found == expected
    coordinator = icalendar.Calendar.from_ical((calendars / "coordinator.ics").read_bytes())
    instants = {
        e.decoded("DTSTART")
        for e in recurring_ical_events.of(coordinator).between(
            dt.datetime(2027, 1, 1, tzinfo=dt.UTC), dt.datetime(2027, 7, 1, tzinfo=dt.UTC)
        )
        if not str(e["UID"]).startswith("milestone")
    }
    assert instants == {start for _, start in expected}


def test_rerun_later_moves_nothing_in_the_past(sample: Path) -> None:
    run("match", "-q", "--today", "2027-01-04", "--program", str(sample))
    first = scheduled(sample, "2027-01-04")
    state = (sample / "state" / "schedule.toml").read_bytes()
    calendar = (sample / "out" / "calendars" / "coordinator.ics").read_bytes()
    again = scheduled(sample, "2027-03-01")
    assert again["sessions"] == first["sessions"]
    assert (sample / "state" / "schedule.toml").read_bytes() == state
    assert (sample / "out" / "calendars" / "coordinator.ics").read_bytes() == calendar


def test_withdrawal_cancels_only_the_future(sample: Path) -> None:
    run("match", "-q", "--today", "2027-01-04", "--program", str(sample))
    before = {(s["pair"], s["number"]): s for s in scheduled(sample, "2027-01-04")["sessions"]}
    pairs = json.loads(run("match", "--json", "--dry-run", "--program", str(sample))[1])["pairs"]
    leaving = pairs[0]["mentee"]
    # Someone who leaves has nothing logged after they left.
    log = sample / "meetings.csv"
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    log.write_text(
        "".join(
            line
            for line in lines
            if not (line.startswith(pairs[0]["id"] + ",") and line.split(",")[1] > "2027-03-01")
        ),
        encoding="utf-8",
    )
    code, _, err = run("withdraw", leaving, "--today", "2027-03-01", "--program", str(sample))
    assert code == 0, err
    after = {(s["pair"], s["number"]): s for s in scheduled(sample, "2027-03-01")["sessions"]}
    for key, session in before.items():
        new = after[key]
        if session["start"] <= "2027-03-01":
            assert new == session
        elif key[0] == pairs[0]["id"]:
            assert (new["status"], new["sequence"]) == ("cancelled", session["sequence"] + 1)
        else:
            assert new == session  # every other pair is unchanged
    cal = icalendar.Calendar.from_ical(
        (sample / "out" / "calendars" / f"{pairs[0]['id']}.ics").read_bytes()
    )
    statuses = {str(e["STATUS"]) for e in cal.walk("VEVENT") if "STATUS" in e}
    assert "CANCELLED" in statuses


def test_logged_sessions_keep_their_place(sample: Path) -> None:
    run("match", "-q", "--today", "2027-01-04", "--program", str(sample))
    first = scheduled(sample, "2027-01-04")["sessions"]
    assert isinstance(first, list)
    target = next(s for s in first if s["number"] == 10)
    day = target["start"][:10]
    code, _, err = run(
        "log",
        target["pair"],
        "--date",
        day,
        "--status",
        "held",
        "--minutes",
        "55",
        "--program",
        str(sample),
    )
    assert code == 0, err
    later = scheduled(sample, "2027-02-01")["sessions"]
    assert target in later
