"""`rmentor schedule` end to end on the sample program: state, calendars, re-runs."""

from __future__ import annotations

import csv
import datetime as dt
import json
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from typer.testing import CliRunner

from rmentor.cli.app import app
from rmentor.model.sessions import NO_COMMON_TIME

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


def scheduled_pairs(folder: Path) -> list[tuple[str, str]]:
    """(mentor, mentee) of every pair in the folder's schedule."""
    import tomllib

    data = tomllib.loads((folder / "state" / "schedule.toml").read_text(encoding="utf-8"))
    return [(t["mentor"], t["mentee"]) for t in data["pairs"].values()]


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
    files = sorted(p.name for p in calendars.iterdir() if p.is_file())
    assert "coordinator.ics" in files
    assert len(files) == 19
    # And one per paired person, named by their id.
    paired = {p for plan in scheduled_pairs(sample) for p in plan}
    assert sorted(p.name for p in (calendars / "people").glob("*.ics")) == sorted(
        f"{p.lower()}.ics" for p in paired
    )
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
            assert event.get("ATTENDEE") is None  # METHOD:PUBLISH names no attendee
            assert "Mentor (shares their skills): " in str(event["DESCRIPTION"])
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
        "--replace",  # the sample's log already has that session
        "--program",
        str(sample),
    )
    assert code == 0, err
    later = scheduled(sample, "2027-02-01")["sessions"]
    assert target in later


def _set_hours(sample: Path, hours: dict[str, tuple[str, str, str]]) -> None:
    """Give people (id -> zone, availability, office) in participants.csv."""
    path = sample / "participants.csv"
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = list(reader.fieldnames or ()), list(reader)
    for row in rows:
        if row["id"] in hours:
            row["timezone"], row["availability"], row["location"] = hours[row["id"]]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def test_no_session_outside_anyones_hours_and_the_pair_is_reported(sample: Path) -> None:
    """Berlin and New York change clocks two weeks apart. A pair whose only common hour
    is Berlin 15:00 loses the two March weeks (reported, skipped with the reason); a pair
    with an hour more meets an hour earlier in Berlin those weeks (a slot per period)."""
    assert run("match", "-q", "--today", "2027-01-04", "--program", str(sample))[0] == 0
    pairs = json.loads(run("match", "--json", "--dry-run", "--program", str(sample))[1])["pairs"]
    mentors = [p["mentor"] for p in pairs]
    alone = [p for p in pairs if mentors.count(p["mentor"]) == 1]
    lost, split = alone[0], alone[1]
    _set_hours(
        sample,
        {
            lost["mentor"]: ("Europe/Berlin", "Tue 15:00-16:00", "Berlin"),
            lost["mentee"]: ("America/New_York", "Tue 09:00-10:00", "New York"),
            split["mentor"]: ("Europe/Berlin", "Tue 14:00-16:00", "Berlin"),
            split["mentee"]: ("America/New_York", "Tue 09:00-10:00", "New York"),
        },
    )
    data = scheduled(sample, "2027-01-04")
    march = ["2027-03-16", "2027-03-23"]  # New York has changed its clocks, Berlin not yet
    assert data["fallback_pairs"] == [lost["id"]]
    assert data["unplaced"] == [{"pair": lost["id"], "dates": march, "reason": NO_COMMON_TIME}]
    skipped = {(k["pair"], k["date"]): k["reason"] for k in data["skipped"]}  # type: ignore[union-attr]
    assert all(skipped[lost["id"], day] == NO_COMMON_TIME for day in march)
    sessions = data["sessions"]
    assert isinstance(sessions, list)
    new_york = ZoneInfo("America/New_York")
    for pair in (lost, split):
        mine = [dt.datetime.fromisoformat(s["start"]) for s in sessions if s["pair"] == pair["id"]]
        assert len(mine) > 10
        assert {s.astimezone(new_york).time() for s in mine} == {dt.time(9)}
        berlin = {s.date().isoformat(): s.time() for s in mine}
        assert not set(march) & {d for d in berlin if pair is lost}
        if pair is split:
            assert {berlin[d] for d in march} == {dt.time(14)}
            assert {t for d, t in berlin.items() if d not in march} == {dt.time(15)}
    state = tomllib.loads((sample / "state" / "schedule.toml").read_text(encoding="utf-8"))
    periods = state["pairs"][split["id"]]["periods"]
    assert [(p["from"], p["start"]) for p in periods[1:]] == [
        (dt.date(2027, 3, 14), dt.time(14)),
        (dt.date(2027, 3, 28), dt.time(15)),
    ]
    assert "periods" not in state["pairs"][pairs[2]["id"]]
    code, out, err = run("schedule", "--today", "2027-01-04", "--program", str(sample))
    assert code == 0, err
    assert f"no time inside both people's hours for 1 pair, on some or all dates: {lost['id']}" in (
        " ".join((out + err).split())
    )
    said = " ".join(out.split())
    assert f"has changed its clocks, for 1 pair: {split['id']}." in said
