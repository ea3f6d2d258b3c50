"""state/mail.toml: every message `rmentor mail` wrote, and which of them were sent.

A message is recorded when its .eml is written, with what makes it that message (its
`key`: kind, person and what it is about), its Message-ID, and the SEQUENCE of each
calendar event it carried. A re-run writes only messages whose key is new, and an
update only for events whose SEQUENCE went up since the person was last sent them.
`--send` marks a message sent right after the server accepts it, writing the file
again each time, so a run stopped halfway (a server that failed, a killed process)
resumes with exactly the messages that did not go.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w

from ..errors import InvalidProgram, Location, error
from .layout import MAIL_FILE
from .output import write_text_atomic
from .state import _list, _table, fixed_offset, load_toml, read_state_text, toml_date

FORMAT_VERSION = 1
MAIL_BYTES = 64 * 1024 * 1024  # a program of 10,000 people, each sent a few dozen messages
HEADER = (
    "# Written by `rmentor mail`; commit it with the program. Each message once:\n"
    "# `sent` is when the server accepted it (none: written, not sent yet).\n\n"
)


@dataclass(frozen=True)
class MailRecord:
    """One message as written (and perhaps sent)."""

    key: str  # what the message is, e.g. "welcome:E1003:p5ywzsad"
    kind: str  # welcome, update, reminder, reserve, manager, survey
    person: str  # whom it is for (a mentor's id for the note to their manager)
    to: tuple[str, ...]
    message_id: str
    file: str  # the .eml, relative to the out folder
    written: dt.date
    sent: dt.datetime | None = None
    refused: tuple[str, ...] = ()  # recipients the server refused
    events: Mapping[str, int] = field(default_factory=dict)  # UID -> SEQUENCE carried


@dataclass(frozen=True)
class MailState:
    """Every message recorded, in the order written."""

    messages: tuple[MailRecord, ...] = ()

    def keys(self) -> set[str]:
        """The keys of every recorded message."""
        return {m.key for m in self.messages}

    def sequences(self, person: str) -> dict[str, int]:
        """The highest SEQUENCE of each event a person was written about (sent or not)."""
        found: dict[str, int] = {}
        for message in self.messages:
            if message.person == person and message.kind != "manager":
                for uid, sequence in message.events.items():
                    found[uid] = max(sequence, found.get(uid, -1))
        return found

    def unsent(self) -> list[MailRecord]:
        """The messages written and not yet sent, in the order written."""
        return [m for m in self.messages if m.sent is None]

    def with_sent(self, key: str, when: dt.datetime, refused: tuple[str, ...]) -> MailState:
        """The state with one message marked sent."""
        return MailState(
            tuple(
                replace(m, sent=when, refused=refused) if m.key == key else m for m in self.messages
            )
        )


def mail_text(state: MailState) -> str:
    """mail.toml's text."""
    messages = []
    for m in state.messages:
        table: dict[str, Any] = {
            "key": m.key,
            "kind": m.kind,
            "person": m.person,
            "to": list(m.to),
            "message_id": m.message_id,
            "file": m.file,
            "written": m.written,
        }
        if m.sent is not None:
            table["sent"] = m.sent
        if m.refused:
            table["refused"] = list(m.refused)
        if m.events:
            table["events"] = dict(sorted(m.events.items()))
        messages.append(table)
    document: dict[str, Any] = {"version": FORMAT_VERSION}
    if messages:
        document["messages"] = messages
    return HEADER + tomli_w.dumps(document)


def parse_mail(text: str, name: str = MAIL_FILE) -> MailState:
    """Read mail.toml text; raises InvalidProgram naming what is wrong."""
    data = load_toml(text, name)
    try:
        messages = []
        for table in map(_table, _list(data.get("messages", []))):
            sent = table.get("sent")
            if sent is not None and not (isinstance(sent, dt.datetime) and sent.tzinfo):
                raise ValueError(f"sent `{sent}` is not a date and time with an offset")
            events = _table(table.get("events", {}))
            messages.append(
                MailRecord(
                    key=str(table["key"]),
                    kind=str(table["kind"]),
                    person=str(table["person"]),
                    to=tuple(str(a) for a in _list(table.get("to", []))),
                    message_id=str(table["message_id"]),
                    file=str(table["file"]),
                    written=toml_date(table["written"]),
                    sent=None if sent is None else fixed_offset(sent),
                    refused=tuple(str(a) for a in _list(table.get("refused", []))),
                    events={str(uid): int(seq) for uid, seq in events.items()},
                )
            )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidProgram(
            [error(Location(name, 1, 1), f"mail file is incomplete or wrong: {exc}")]
        ) from None
    return MailState(tuple(messages))


def read_mail(folder: Path) -> MailState:
    """state/mail.toml, or an empty state when nothing was written yet."""
    text = read_state_text(folder / MAIL_FILE, MAIL_FILE, "the mail file", MAIL_BYTES)
    return MailState() if text is None else parse_mail(text)


def write_mail(folder: Path, state: MailState) -> bool:
    """Write state/mail.toml atomically (and durably); False when nothing changed."""
    return write_text_atomic(folder / MAIL_FILE, mail_text(state))
