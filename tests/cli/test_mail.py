"""`rmentor mail` end to end on the sample (issue 14): every message is read back with
Python's `email` package, every calendar with icalendar and recurring-ical-events, and
`--send` delivers to a real SMTP server on 127.0.0.1 (aiosmtpd).
"""

from __future__ import annotations

import datetime as dt
import email
import shutil
import tomllib
from collections import Counter
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from typer.testing import CliRunner

from rmentor.cli.app import app
from tests.conftest import MATCH_DAY
from tests.smtp_server import Recorder, Serve

DAY = dt.date.fromisoformat(MATCH_DAY)


def run(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    return result


def rmentor(folder: Path, *args: str, code: int = 0) -> str:
    result = run(*args, "--program", str(folder))
    assert result.exit_code == code, result.output
    return str(result.output)


@pytest.fixture
def scheduled(matched: Path) -> Path:
    """The matched sample, scheduled on the day it was matched."""
    rmentor(matched, "schedule", "-q", "--today", MATCH_DAY)
    return matched


def messages(folder: Path, kind: str | None = None) -> dict[str, EmailMessage]:
    """Every .eml written (of one kind), parsed with the default policy."""
    root = folder / "out" / "mail"
    found = {}
    for path in sorted(root.rglob("*.eml")):
        if kind is None or path.parent.name == kind:
            parsed = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(parsed, EmailMessage)
            found[str(path.relative_to(root))] = parsed
    return found


def calendar_of(message: EmailMessage) -> icalendar.Calendar:
    """The text/calendar alternative; it must equal the .ics attachment."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    files = [p for p in message.walk() if p.get_filename() in ("invite.ics", "cancel.ics")]
    assert len(parts) == 1
    assert len(files) == 1
    data = parts[0].get_content().encode("utf-8")
    assert files[0].get_content() == data
    method = parts[0].get_param("method")
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["METHOD"]) == method
    return calendar


def state(folder: Path) -> list[dict[str, Any]]:
    path = folder / "state" / "mail.toml"
    return list(tomllib.loads(path.read_text()).get("messages", [])) if path.exists() else []


def add_smtp(folder: Path, port: int) -> None:
    path = folder / "program.yaml"
    raw = path.read_text()
    path.write_text(raw + f"mail:\n  smtp: {{host: 127.0.0.1, port: {port}, security: none}}\n")


def test_welcome_messages_and_their_invitations(scheduled: Path) -> None:
    output = rmentor(scheduled, "mail", "--today", MATCH_DAY)
    pairs = tomllib.loads((scheduled / "state" / "pairings.toml").read_text())["pairs"]
    active = {pid: p for pid, p in pairs.items() if p.get("status", "active") == "active"}
    welcome = messages(scheduled, "welcome")
    assert len(welcome) == 2 * len(active)
    assert f"{2 * len(active)}" in output
    roster = {
        row["id"]: row
        for row in __import__("csv").DictReader(
            (scheduled / "participants.csv").read_text(encoding="utf-8").splitlines()
        )
    }
    plan = tomllib.loads((scheduled / "state" / "schedule.toml").read_text())["pairs"]
    ids: Counter[str] = Counter()
    for name, message in welcome.items():
        ids[message["Message-ID"]] += 1
        person = name.split("/")[1].split("-")[0].upper()
        pair = name.removesuffix(".eml").split("-")[1]
        assert message["To"].addresses[0].addr_spec == roster[person]["email"]
        assert message["From"].addresses[0].addr_spec == "dana.whitfield@example.com"
        assert message["Subject"].endswith("welcome, and your sessions")
        assert message.get_body(("plain",)) is not None
        html = message.get_body(("html",))
        assert html is not None
        assert "<h1>" in html.get_content()
        text = message.get_body(("plain",)).get_content()
        assert text.startswith("# Welcome to Digital Fluency 2027")
        calendar = calendar_of(message)
        assert str(calendar["METHOD"]) == "REQUEST"
        # every event: organizer, the recipient among the attendees, a reminder
        for event in calendar.walk("VEVENT"):
            assert str(event["ORGANIZER"]) == "mailto:dana.whitfield@example.com"
            attendees = event["ATTENDEE"]
            attendees = attendees if isinstance(attendees, list) else [attendees]
            assert f"mailto:{roster[person]['email']}" in [str(a) for a in attendees]
            assert len(event.walk("VALARM")) == 1
        # the sessions: exactly the pair's, at the planned instants (zoneinfo)
        planned = {s["start"] for s in plan[pair]["sessions"]}  # TOML: offset date-times
        expanded = recurring_ical_events.of(calendar).between(
            dt.datetime(2026, 12, 1, tzinfo=dt.UTC), dt.datetime(2027, 8, 1, tzinfo=dt.UTC)
        )
        starts = {
            e.decoded("DTSTART").astimezone(dt.UTC)
            for e in expanded
            if str(e["UID"]).startswith(f"{pair}-")
        }
        assert starts == {s.astimezone(dt.UTC) for s in planned}, name
        for event in expanded:
            start = event.decoded("DTSTART")
            if isinstance(start, dt.datetime) and "TZID" in event["DTSTART"].params:
                zone = ZoneInfo(event["DTSTART"].params["TZID"])
                wall = start.replace(tzinfo=None)
                assert start.utcoffset() == wall.replace(tzinfo=zone).utcoffset()
    assert max(ids.values()) == 1  # every Message-ID once
    records = state(scheduled)
    assert len(records) == len(messages(scheduled))
    assert all("sent" not in r for r in records)
    # a second run writes nothing new
    assert "nothing new" in rmentor(scheduled, "mail", "--today", MATCH_DAY)
    assert len(state(scheduled)) == len(records)


def test_same_files_same_messages(scheduled: Path, tmp_path: Path) -> None:
    twin = tmp_path / "twin"
    shutil.copytree(scheduled, twin)
    rmentor(scheduled, "mail", "-q", "--today", MATCH_DAY)
    rmentor(twin, "mail", "-q", "--today", MATCH_DAY)
    one, two = scheduled / "out" / "mail", twin / "out" / "mail"
    names = sorted(p.relative_to(one) for p in one.rglob("*.eml"))
    assert names == sorted(p.relative_to(two) for p in two.rglob("*.eml"))
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_reserve_and_manager_messages(scheduled: Path) -> None:
    rmentor(scheduled, "mail", "--today", MATCH_DAY, "--kind", "reserve", "--kind", "manager")
    assert not messages(scheduled, "welcome")
    reserve = messages(scheduled, "reserve")
    assert reserve  # the sample has people without a partner
    for message in reserve.values():
        assert "calendar" not in {p.get_content_subtype() for p in message.walk()}
    managers = messages(scheduled, "manager")
    assert managers
    for message in managers.values():
        text = message.get_body(("plain",)).get_content()
        assert "is a mentor in Digital Fluency 2027" in text
        assert "60 minutes a week" in text


def test_milestone_edits_send_updates_and_cancellations(scheduled: Path) -> None:
    rmentor(scheduled, "mail", "-q", "--today", MATCH_DAY)
    path = scheduled / "program.yaml"
    lines = path.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("  milestones:"))
    lines.insert(at + 1, "    - {name: Welcome drinks, id: drinks, date: 2027-01-20}\n")
    lines = [line for line in lines if "{name: Mentor training" not in line]
    before, after = 'date: 2027-06-14, time: "09:00"', 'date: 2027-06-15, time: "09:00"'
    text = "".join(lines).replace(before, after)
    path.write_text(text)
    later = "2027-01-06"
    rmentor(scheduled, "schedule", "-q", "--today", later)
    rmentor(scheduled, "mail", "--today", later)
    updates = messages(scheduled, "update")
    requests = {n: m for n, m in updates.items() if "-request-" in n}
    cancels = {n: m for n, m in updates.items() if "-cancel-" in n}
    welcomed = messages(scheduled, "welcome")
    people = {n.split("/")[1].split("-")[0] for n in welcomed}  # a mentor may have two
    assert len(requests) == len(people)  # the moved survey and the new drinks: everyone
    mentors = {
        n.split("/")[1].split("-")[0]
        for n, m in welcomed.items()
        if "You join as a **mentor**" in m.get_body(("plain",)).get_content()
    }
    assert len(cancels) == len(mentors) > 0  # the training was for mentors only
    before = {
        str(e["UID"]).split("@")[0]
        for m in welcomed.values()
        for e in calendar_of(m).walk("VEVENT")
    }
    for message in requests.values():
        events = {str(e["UID"]).split("@")[0]: e for e in calendar_of(message).walk("VEVENT")}
        milestones = {uid for uid in events if uid.startswith("milestone-")}
        assert milestones == {"milestone-final-survey-opens", "milestone-drinks"}
        for uid, event in events.items():  # sessions moved by the edit, or new ones
            assert uid in milestones or int(event["SEQUENCE"]) >= 1 or uid not in before, uid
        assert int(events["milestone-final-survey-opens"]["SEQUENCE"]) == 1
        assert int(events["milestone-drinks"]["SEQUENCE"]) == 0
    for message in cancels.values():
        calendar = calendar_of(message)
        assert str(calendar["METHOD"]) == "CANCEL"
        (event,) = calendar.walk("VEVENT")
        assert str(event["UID"]).startswith("milestone-mentor-training@")
        assert str(event["STATUS"]) == "CANCELLED"
        assert int(event["SEQUENCE"]) == 1
    # the UIDs of the other milestones did not move
    coordinator = (scheduled / "out" / "calendars" / "coordinator.ics").read_text()
    assert "UID:milestone-kickoff@digital-fluency-2027.rmentor" in coordinator
    # once written, never again
    assert "nothing new" in rmentor(scheduled, "mail", "--today", later)


def test_withdrawal_cancels_the_old_pair_and_invites_the_new(scheduled: Path) -> None:
    rmentor(scheduled, "mail", "-q", "--today", MATCH_DAY)
    pairs = tomllib.loads((scheduled / "state" / "pairings.toml").read_text())["pairs"]
    # E2105's mentee is re-paired with a spare mentor when E2105 leaves
    pair_id, pair = next((k, p) for k, p in pairs.items() if p["mentor"] == "E2105")
    later = "2027-02-01"
    # the sample's log runs to the end of the program, and logged sessions never move
    log = scheduled / "meetings.csv"
    log.write_text(log.read_text().splitlines(keepends=True)[0])
    rmentor(scheduled, "withdraw", pair["mentor"], "--today", later, "--reason", "moved job")
    rmentor(scheduled, "schedule", "-q", "--today", later)
    rmentor(scheduled, "mail", "--today", later, "--kind", "welcome", "--kind", "update")
    after = tomllib.loads((scheduled / "state" / "pairings.toml").read_text())["pairs"]
    new = [
        (pid, p) for pid, p in after.items() if pid not in pairs and pair["mentee"] == p["mentee"]
    ]
    updates = messages(scheduled, "update")
    for who in (pair["mentor"], pair["mentee"]):
        (cancel,) = [m for n, m in updates.items() if n.startswith(f"update/{who.lower()}-cancel-")]
        events = calendar_of(cancel).walk("VEVENT")
        assert events
        assert all(str(e["STATUS"]) == "CANCELLED" for e in events)
        assert all(str(e["UID"]).startswith(f"{pair_id}-") for e in events)
        assert all(e.decoded("DTSTART").date() > dt.date(2027, 2, 1) for e in events)
    # the mentee was given a spare mentor: both get a welcome for the new pair
    ((new_id, new_pair),) = new
    welcome = messages(scheduled, "welcome")
    for who in (new_pair["mentor"], new_pair["mentee"]):
        message = welcome[f"welcome/{who.lower()}-{new_id}.eml"]
        uids = {str(e["UID"]) for e in calendar_of(message).walk("VEVENT")}
        assert any(uid.startswith(f"{new_id}-") for uid in uids)


def test_send_through_a_real_server(scheduled: Path, serve: Serve) -> None:
    handler = Recorder()
    add_smtp(scheduled, serve(handler))
    output = rmentor(scheduled, "mail", "--today", MATCH_DAY, "--send", "--kind", "welcome")
    written = messages(scheduled)
    assert len(handler.received) == len(written) > 0
    assert f"Sent: {len(written)} messages." in output
    for mail_from, rcpt, data in handler.received:
        assert mail_from == "dana.whitfield@example.com"
        assert len(rcpt) == 1
        parsed = email.message_from_bytes(data, policy=policy.default)
        assert parsed["To"].addresses[0].addr_spec == rcpt[0]
    assert all("sent" in r for r in state(scheduled))
    # a second run sends nothing
    rmentor(scheduled, "mail", "--today", MATCH_DAY, "--send", "--kind", "welcome")
    assert len(handler.received) == len(written)


def test_a_server_that_fails_leaves_the_exact_state(scheduled: Path, serve: Serve) -> None:
    k = 5
    failing = Recorder(data_replies={k: "421 4.3.0 try again later"})
    add_smtp(scheduled, serve(failing))
    output = rmentor(scheduled, "mail", "--today", MATCH_DAY, "--send", code=1)
    assert "421" in output
    records = state(scheduled)
    sent = [r for r in records if "sent" in r]
    assert len(sent) == k == len(failing.received)
    delivered = {email.message_from_bytes(d)["Message-ID"] for _, _, d in failing.received}
    assert delivered == {r["message_id"] for r in sent}
    # resume against a working server: exactly the rest goes, nothing twice
    good = Recorder()
    path = scheduled / "program.yaml"
    path.write_text(path.read_text().rsplit("mail:\n", 1)[0])
    add_smtp(scheduled, serve(good))
    rmentor(scheduled, "mail", "--today", MATCH_DAY, "--send")
    again = {email.message_from_bytes(d)["Message-ID"] for _, _, d in good.received}
    assert not again & delivered
    assert len(again) + len(delivered) == len(records)
    assert all("sent" in r for r in state(scheduled))


def test_a_refused_recipient_is_reported_and_the_rest_go(scheduled: Path, serve: Serve) -> None:
    refused = "katharina.vogel@northwind.example"
    handler = Recorder(refuse=[refused])
    add_smtp(scheduled, serve(handler))
    output = rmentor(scheduled, "mail", "--today", MATCH_DAY, "--send", "--kind", "welcome")
    assert refused in output
    assert "550" in output
    written = messages(scheduled)
    assert len(handler.received) == len(written) - 1
    unsent = [r for r in state(scheduled) if "sent" not in r]
    assert [r["to"] for r in unsent] == [[refused]]


def test_send_needs_smtp_settings_and_the_password(scheduled: Path) -> None:
    output = rmentor(scheduled, "mail", "--today", MATCH_DAY, "--send", code=1)
    assert "mail.smtp is not set" in output
    assert not (scheduled / "state" / "mail.toml").exists()
    path = scheduled / "program.yaml"
    path.write_text(
        path.read_text() + "mail:\n  smtp: {host: 127.0.0.1, port: 2, username: dana}\n"
    )
    output = rmentor(scheduled, "mail", "--today", MATCH_DAY, "--send", code=1)
    assert "RMENTOR_SMTP_PASSWORD" in output
    assert "Traceback" not in output


def test_dry_run_writes_nothing(scheduled: Path) -> None:
    output = rmentor(scheduled, "mail", "--today", MATCH_DAY, "--dry-run")
    assert "would be written" in output
    assert not (scheduled / "out" / "mail").exists()
    assert not (scheduled / "state" / "mail.toml").exists()


def test_unknown_kind_is_a_usage_error(scheduled: Path) -> None:
    result = run("mail", "--kind", "spam", "--program", str(scheduled))
    assert result.exit_code == 2
    assert "spam" in result.output


def test_a_message_carries_only_its_peoples_addresses(scheduled: Path) -> None:
    """A welcome names the person and their partner (the invitation's attendees) and
    the leader; no one else's address is in it."""
    rmentor(scheduled, "mail", "-q", "--today", MATCH_DAY, "--kind", "welcome")
    import csv

    rows = list(csv.DictReader((scheduled / "participants.csv").read_text().splitlines()))
    emails = {row["id"]: row["email"] for row in rows}
    pairs = tomllib.loads((scheduled / "state" / "pairings.toml").read_text())["pairs"]
    partners: dict[str, set[str]] = {}
    for pair in pairs.values():
        for who in (pair["mentor"], pair["mentee"]):
            partners.setdefault(who, set()).update((pair["mentor"], pair["mentee"]))
    assert any(len(people) > 2 for people in partners.values())  # a mentor of two
    for pid, pair in pairs.items():
        for who in (pair["mentor"], pair["mentee"]):
            path = scheduled / "out" / "mail" / "welcome" / f"{who.lower()}-{pid}.eml"
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            text = calendar_of(message).to_ical().decode() + str(message)
            text = text.replace("\r\n ", "")  # unfold
            present = {p for p, address in emails.items() if address and address in text}
            assert present == partners[who], (path.name, present)


def test_reminders_and_survey_invitations(scheduled: Path) -> None:
    """On 6 April 2027 (the midpoint survey opened the day before): a survey invitation
    for everyone in a pair, a nudge to both people of each pair at risk, and "how did it
    go?" for each session of the last fortnight with nothing logged; each once."""
    import csv
    import json

    today = "2027-04-06"
    rmentor(scheduled, "mail", "-q", "--today", today, "--kind", "reminder", "--kind", "survey")
    pairs = tomllib.loads((scheduled / "state" / "pairings.toml").read_text())["pairs"]
    people = {p for pair in pairs.values() for p in (pair["mentor"], pair["mentee"])}
    survey = messages(scheduled, "survey")
    assert {n.split("/")[1].split("-")[0].upper() for n in survey} == people
    for message in survey.values():
        text = message.get_body(("plain",)).get_content()
        assert "the midpoint survey of Digital Fluency 2027 is open" in text
        assert "https://forms.example.com/digital-fluency-midpoint" in text
    status = json.loads(rmentor(scheduled, "status", "--json", "--today", today))
    at_risk = {entry["pair"] for entry in status["at_risk"]}
    assert at_risk
    reminders = messages(scheduled, "reminder")
    nudged = {n for n in reminders if "-checkin-" in n}
    assert len(nudged) == 2 * len(at_risk)
    logged = {
        (row["pair"], row["date"])
        for row in csv.DictReader((scheduled / "meetings.csv").read_text().splitlines())
    }
    plan = tomllib.loads((scheduled / "state" / "schedule.toml").read_text())["pairs"]
    due = {
        (pid, s["number"])
        for pid, p in plan.items()
        for s in p["sessions"]
        if s["status"] == "planned"
        and dt.date(2027, 3, 23) <= s["start"].date() < dt.date(2027, 4, 6)
        and (pid, s["start"].date().isoformat()) not in logged
    }
    reports = {n for n in reminders if "-report-" in n}
    assert due  # the sample's log misses a session on Easter Monday
    assert len(reports) == 2 * len(due)
    for pid, number in due:
        for who in (plan[pid]["mentor"], plan[pid]["mentee"]):
            message = reminders[f"reminder/{who.lower()}-report-{pid}-{number}.eml"]
            assert f"session {number} with" in message.get_body(("plain",)).get_content()
            assert "calendar" not in {p.get_content_subtype() for p in message.walk()}
    # each once
    assert "nothing new" in rmentor(scheduled, "mail", "--today", today, "--kind", "survey")
