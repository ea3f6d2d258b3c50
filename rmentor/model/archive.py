"""What a purged program keeps: its report's figures, and its pairs under pseudonyms.

`rmentor purge` (`engines.purge`) turns a finished program into an `Archive`;
`files.archive` writes it into the program folder, in place of the personal data, and
reads it back for the programs that come later:

- `evaluation.compare` of a later program shows the `Standing` (state/archive.toml):
  the figures as the report showed them, each one already past the anonymity threshold.
- `matching.history` of a later program reads the pairs (state/pairings.toml, in its
  usual shape), whose people are named by `pseudonym(salt, id)`. The salt is stored
  beside them, so a later roster's ids can be hashed the same way and matched back.

A pseudonym is not anonymity: whoever holds the archive and a list of candidate ids
(the next roster, an HR export) can test each one, and that is exactly what the
no-repeat rule needs. The salt is random per archive, so the same person gets a
different pseudonym in every purged program (two archives cannot be joined on it) and
no table of precomputed hashes of employee numbers fits any archive.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..text import fold
from .activity import Meeting
from .pairings import Pairing

ARCHIVE_VERSION = 1
PSEUDONYM_SCHEME = "hmac-sha256-128"  # named in the file, so that a reader can tell
PSEUDONYM_LENGTH = 32  # hex digits: 128 bits, no collision among any real roster


def pseudonym(salt: str, person: str) -> str:
    """A person's id as the archive names it: HMAC-SHA256 keyed by the salt, 32 hex digits.

    The id is folded first (`text.fold`: Unicode form, case, spaces), as ids are compared
    everywhere else, so `e1001` in a later roster finds `E1001` of an earlier one.
    """
    digest = hmac.new(salt.encode("utf-8"), fold(person).encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:PSEUDONYM_LENGTH]


@dataclass(frozen=True)
class ArchivedGoal:
    """One goal as the report stated it when the program was purged."""

    id: str
    description: str
    metric: str
    target: float
    value: float | None  # None: no data, or hidden for anonymity
    status: str  # met | on track | at risk | missed | no data
    projected: float | None = None  # the value expected at the program's end, as shown
    role: str | None = None  # the goal counted this role's answers only
    topic: str | None = None  # skill_delta of this topic only


@dataclass(frozen=True)
class Standing:
    """A finished program's figures, as its report showed them (state/archive.toml)."""

    name: str
    organization: str
    start: dt.date
    end: dt.date
    as_of: dt.date  # the day the figures were computed for
    threshold: int  # the program's anonymity threshold: every figure kept passed it
    metrics: Mapping[str, float | None]  # None: hidden or no data, as in the report
    answers: Mapping[str, int] = field(default_factory=dict)  # survey figure -> answers behind it
    goals: tuple[ArchivedGoal, ...] = ()


@dataclass(frozen=True)
class Archive:
    """Everything a purged program keeps."""

    standing: Standing
    purged: dt.date
    salt: str
    pairs: tuple[Pairing, ...]  # mentor and mentee are pseudonyms; no scores or reasons
    meetings: tuple[Meeting, ...]  # pair ids of the pseudonyms; no notes
