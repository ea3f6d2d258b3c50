"""A real calendar client reads our per-person calendars: khal imports them and lists them.

`rmentor schedule` writes `out/calendars/people/<id>.ics`. This test imports one mentor's
and one mentee's file into khal (`khal import --batch`), lists the events (`khal list`) and
checks them against the same file read independently with icalendar + recurring_ical_events
and tz database rules (zoneinfo): every event is there, once, at the right local time, also
just after each daylight-saving change in the program, with the milestones for the role.

It checks behaviour (events, times, counts), not bytes, so the calendar code can change
(alarms, locations, time zone shapes) without touching this test. khal is a Debian package
(`.ci/run` installs it); without it the test skips locally and fails in CI (`RMENTOR_CI`).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import yaml
from typer.testing import CliRunner

from rmentor.cli.app import app
from tests.conftest import MATCH_DAY

KHAL_ZONE = "Europe/Berlin"  # khal's local and default time zone in the config below
MINUTE = "%Y-%m-%d %H:%M"
SEP = "\x1f"  # between the fields of a `khal list` line; never in a title
# Who sees a milestone, by its `audience` in program.yaml.
AUDIENCES = {"mentor": {"everyone", "mentors"}, "mentee": {"everyone", "mentees"}}

Line = tuple[str, str, bool, str]  # start, end, cancelled, title (as khal prints them)


def khal_binary() -> str:
    found = shutil.which("khal")
    if found is None:
        if os.environ.get("RMENTOR_CI"):
            pytest.fail("khal is not installed, and CI must run this test (.ci/run installs it)")
        pytest.skip("khal is not installed (Debian: apt-get install khal)")
    return found


def khal_config(tmp: Path) -> tuple[Path, dict[str, Path], dict[str, str]]:
    """A khal config with one empty calendar per role, and an env that keeps khal in tmp."""
    home = tmp / "home"
    vdirs = {role: tmp / "vdir" / role for role in AUDIENCES}
    for folder in (home, *vdirs.values()):
        folder.mkdir(parents=True)
    calendars = "".join(
        f"[[{role}]]\npath = {vdir}\ntype = calendar\n" for role, vdir in vdirs.items()
    )
    config = tmp / "khal.conf"
    config.write_text(
        f"[calendars]\n{calendars}"
        "[locale]\n"
        "timeformat = %H:%M\n"
        "dateformat = %Y-%m-%d\n"
        "longdateformat = %Y-%m-%d\n"
        f"datetimeformat = {MINUTE}\n"
        f"longdatetimeformat = {MINUTE}\n"
        f"default_timezone = {KHAL_ZONE}\n"
        f"local_timezone = {KHAL_ZONE}\n"
        f"[sqlite]\npath = {home / 'khal.db'}\n",
        encoding="utf-8",
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LC_ALL": "C.UTF-8",
        "LANG": "C.UTF-8",
        "TZ": "UTC",  # not khal's zone: the times must come from the config
        "PYTHONWARNINGS": "ignore",  # Python's own warnings; khal's warnings still show
    }
    return config, vdirs, env


def khal(env: dict[str, str], *args: str) -> str:
    """Run khal; it must succeed and say nothing on stderr (no warnings about our files)."""
    done = subprocess.run(
        [khal_binary(), *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,  # --batch must never prompt
    )
    assert done.returncode == 0, f"khal {args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    assert done.stderr == "", f"khal {args} complained:\n{done.stderr}"
    return done.stdout


def local(value: dt.date, tzid: str | None) -> str:
    """A DTSTART/DTEND as khal prints it in KHAL_ZONE, computed from the tz database."""
    if not isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d")  # all-day
    if tzid is not None:  # the zone by name, whatever the file's VTIMEZONE says
        value = value.replace(tzinfo=ZoneInfo(tzid))
    elif value.tzinfo is None:  # floating time: the client's local zone
        value = value.replace(tzinfo=ZoneInfo(KHAL_ZONE))
    return value.astimezone(ZoneInfo(KHAL_ZONE)).strftime(MINUTE)


def expected(path: Path, start: dt.date, end: dt.date) -> tuple[dict[str, Line], int]:
    """The file's events by UID as khal should list them (read with icalendar), and how many."""
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    events = recurring_ical_events.of(cal).between(start, end)
    lines: dict[str, Line] = {}
    for event in events:
        times = []
        for key in ("DTSTART", "DTEND"):
            tzid = event[key].params.get("TZID")
            times.append(local(event.decoded(key), str(tzid) if tzid else None))
        cancelled = str(event.get("STATUS", "")).upper() == "CANCELLED"
        lines[str(event["UID"])] = (times[0], times[1], cancelled, str(event["SUMMARY"]))
    return lines, len(events)


def listed(
    env: dict[str, str], config: Path, calendar: str, start: dt.date, end: dt.date
) -> tuple[dict[str, Line], int]:
    """What `khal list` shows of one calendar, by UID, and how many lines it printed."""
    out = khal(
        env,
        *("-c", str(config), "list", "-a", calendar, "--once", "--day-format", ""),
        *("--format", SEP.join(["{uid}", "{start}", "{end}", "{cancelled}", "{title}"])),
        start.isoformat(),
        end.isoformat(),
    )
    rows = [row for row in out.splitlines() if row.strip()]
    lines: dict[str, Line] = {}
    for row in rows:
        uid, first, last, cancelled, title = row.split(SEP, 4)
        # khal lists STATUS:CANCELLED events too, marked by {cancelled} = "CANCELLED ".
        lines[uid] = (first, last, cancelled.strip() == "CANCELLED", title)
    return lines, len(rows)


def changes(zone: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """The days in [start, end] on which the zone's UTC offset changes (DST starts or ends)."""
    tz = ZoneInfo(zone)
    days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]

    def offset(day: dt.date) -> dt.timedelta | None:
        return dt.datetime.combine(day, dt.time(12), tz).utcoffset()

    return [d for d in days[1:] if offset(d) != offset(d - dt.timedelta(days=1))]


def test_khal_imports_and_lists_a_mentor_and_a_mentee(matched: Path, tmp_path: Path) -> None:
    khal_binary()
    result = CliRunner().invoke(app, ["schedule", "--program", str(matched), "--today", MATCH_DAY])
    assert result.exit_code == 0, result.output

    program = yaml.safe_load((matched / "program.yaml").read_text(encoding="utf-8"))
    begin, finish = program["program"]["start"], program["program"]["end"]
    assert dt.date.fromisoformat(MATCH_DAY) < begin
    # A pair meeting in New York's zone: seen from Berlin, its sessions shift an hour when
    # the US changes (March) and shift back when Europe does, two weeks later.
    schedule = tomllib.loads((matched / "state" / "schedule.toml").read_text(encoding="utf-8"))
    pair_id, pair = next(
        (pid, p)
        for pid, p in sorted(schedule["pairs"].items())
        if p["slot"]["zone"] == "America/New_York"
    )
    people = {"mentor": pair["mentor"], "mentee": pair["mentee"]}
    zone_changes = sorted(
        {day for zone in (pair["slot"]["zone"], KHAL_ZONE) for day in changes(zone, begin, finish)}
    )
    assert len(zone_changes) >= 2, zone_changes  # both March changes fall in the sample

    config, vdirs, env = khal_config(tmp_path)
    window = (begin - dt.timedelta(days=31), finish + dt.timedelta(days=31))
    milestones = program["meetings"]["milestones"]
    for role, person in people.items():
        ics = matched / "out" / "calendars" / "people" / f"{person.lower()}.ics"
        khal(env, "-c", str(config), "import", "--batch", "-a", role, str(ics))
        want, events = expected(ics, *window)
        got, rows = listed(env, config, role, *window)

        # Every event once (UIDs unique in the file and in khal's list), at the same local
        # start and end, with the same title. khal lists cancelled events too, marked, so
        # the confirmed ones are counted apart from them.
        assert len(want) == events, f"{role}: a UID twice in {ics.name}"
        assert len(got) == rows, f"{role}: khal listed a UID twice"
        assert sum(not line[2] for line in got.values()) == sum(
            not line[2] for line in want.values()
        ), role
        assert got == want, role

        # khal's vdir holds one file per event, named by its UID.
        files = sorted(vdirs[role].glob("*.ics"))
        assert sorted(p.name for p in files) == sorted(f"{uid}.ics" for uid in want), role
        for path in files:
            stored = icalendar.Calendar.from_ical(path.read_bytes())
            assert {str(e["UID"]) for e in stored.walk("VEVENT")} == {path.stem}, path.name

        # The pair's first session after each DST change (the pair's zone or khal's) is at
        # the tz database's local time ...
        sessions = sorted(
            (line[0], uid) for uid, line in got.items() if uid.startswith(f"{pair_id}-")
        )
        for day in zone_changes:
            after = [uid for start, uid in sessions if start >= day.isoformat()]
            assert after, f"{role}: no session after the DST change on {day}"
            assert got[after[0]] == want[after[0]], (role, day)
        # ... which, for a New York slot seen from Berlin, is an hour earlier between the
        # US change and the European one than on either side of it.
        hours = [
            (dt.date.fromisoformat(start[:10]), dt.datetime.strptime(start, MINUTE).hour)
            for start, _ in sessions
        ]
        us_day, eu_day = (
            changes(pair["slot"]["zone"], begin, finish)[0],
            changes(KHAL_ZONE, begin, finish)[0],
        )
        assert us_day < eu_day
        between = {h for d, h in hours if us_day <= d < eu_day}
        outside = {h for d, h in hours if not us_day <= d < eu_day}
        assert len(between) == len(outside) == 1, (role, hours)
        assert between.pop() == outside.pop() - 1, role

        # The milestones for this role, and none meant only for others.
        titles = {line[3] for line in got.values()}
        for milestone in milestones:
            shown = milestone.get("audience", "everyone") in AUDIENCES[role]
            assert (milestone["name"] in titles) == shown, (role, milestone["name"])
