"""Survey exports: Google-Forms-like CSVs read through each survey's column mapping."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from rmentor.errors import Location, Severity
from rmentor.files.surveys import load_surveys, parse_rating
from rmentor.model.config import ProgramConfig
from tests.rosters import config_from, person

HEADERS = {
    "Your participant ID": "respondent",
    "How satisfied are you with the program?": "satisfaction",
    "How likely are you to recommend it to a colleague?": "recommend",
    "Rate yourself: Video meetings": "skill:video",
    "Rate yourself: AI assistants": "skill:ai",
    "Progress on your learning goals": "goal_progress",
    "Anything else?": "comments",
}


def config(**survey: object) -> ProgramConfig:
    entry = {"file": "feedback/final.csv", "kind": "final", "columns": HEADERS, **survey}
    return config_from(
        dt.date(2027, 1, 11),
        dt.date(2027, 6, 25),
        {
            "topics": [{"id": "video", "title": "Video"}, {"id": "ai", "title": "AI"}],
            "evaluation": {"surveys": [entry]},
        },
    )


GOOGLE_CSV = (
    "\ufeff"
    '"Timestamp","Your participant ID","How satisfied are you with the program?",'
    '"How likely are you to recommend it to a colleague?","Rate yourself: Video meetings",'
    '"Rate yourself: AI assistants","Progress on your learning goals","Anything else?"\r\n'
    '"2027/06/20 10:01:02 AM GMT+2","ana","4 - Agree","9 (very likely)","4","3",'
    '"5 - Done","Great, thanks!\r\nSee you"\r\n'
    '"2027/06/20 11:00:00 AM GMT+2","","5","10","2","","3",""\r\n'
    '"2027/06/21 09:00:00 AM GMT+2","ben","4.5","11","6","2 - Some","x",""\r\n'
    '"2027/06/21 09:30:00 AM GMT+2","zed","3","7","","","",""\r\n'
)


def write(tmp_path: Path, text: str, name: str = "feedback/final.csv") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return tmp_path


@pytest.mark.parametrize(
    ("text", "low", "high", "value"),
    [
        ("4", 1, 5, 4),
        ("4 - Agree", 1, 5, 4),
        ("4 \u2013 Agree", 1, 5, 4),
        ("9 (very likely)", 0, 10, 9),
        ("5: Very satisfied", 1, 5, 5),
        ("0 Not at all", 0, 10, 0),
        ("10", 0, 10, 10),
    ],
)
def test_rating_accepts_a_leading_integer(text: str, low: int, high: int, value: int) -> None:
    assert parse_rating(text, low, high) == value


@pytest.mark.parametrize("text", ["4.5", "4-5", "four", "6", "0", "4 5", "-1"])
def test_rating_refuses_other_text(text: str) -> None:
    with pytest.raises(ValueError, match=r"`.*`"):
        parse_rating(text, 1, 5)


def test_google_forms_csv(tmp_path: Path) -> None:
    folder = write(tmp_path, GOOGLE_CSV)
    people = [person("ana", "mentor"), person("ben", "mentee", email="ben@example.com")]
    responses, problems = load_surveys(folder, config(), participants=people)
    assert len(responses) == 4
    ana, anon, ben, zed = responses
    assert ana.survey_kind == "final"
    assert ana.respondent == "ana"
    assert (ana.satisfaction, ana.recommend, ana.goal_progress) == (4, 9, 5)
    assert dict(ana.skills) == {"video": 4, "ai": 3}
    assert ana.comments == "Great, thanks!\r\nSee you"
    assert ana.source == Location("feedback/final.csv", 2, 1)
    assert anon.respondent is None
    assert anon.source.line == 4  # the quoted comment above spans two lines
    assert (anon.satisfaction, anon.recommend, dict(anon.skills)) == (5, 10, {"video": 2})
    # ben's bad values are left out, the good one kept
    assert (ben.satisfaction, ben.recommend, ben.goal_progress) == (None, None, None)
    assert dict(ben.skills) == {"ai": 2}
    assert zed.respondent is None  # names no participant: an anonymous answer
    errors = {(str(p.location), p.message) for p in problems if p.severity is Severity.ERROR}
    assert errors == {
        ("feedback/final.csv:5:3", "satisfaction: `4.5` is not a whole number from 1 to 5"),
        ("feedback/final.csv:5:4", "recommend: `11` is outside 0-10"),
        ("feedback/final.csv:5:5", "skill:video: `6` is outside 1-5"),
        ("feedback/final.csv:5:7", "goal_progress: `x` is not a whole number from 1 to 5"),
    }
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    assert [str(p.location) for p in warnings] == ["feedback/final.csv:4:2"]
    assert "2 answers in feedback/final.csv name no participant (1 empty, `zed`)" in (
        warnings[0].message
    )


def test_email_respondent_is_read_as_id(tmp_path: Path) -> None:
    text = "respondent,satisfaction\nBEN@example.com,4\n"
    folder = write(tmp_path, text)
    responses, problems = load_surveys(
        folder, config(columns={}), participants=[person("ben", "mentee", email="ben@example.com")]
    )
    assert [r.respondent for r in responses] == ["ben"]
    assert problems == []


def test_unknown_skill_topic_and_missing_file(tmp_path: Path) -> None:
    folder = write(tmp_path, "respondent,skill:cooking,satisfaction\nana,3,4\n")
    responses, problems = load_surveys(folder, config(columns={}))
    assert dict(responses[0].skills) == {}
    assert [str(p.location) for p in problems] == ["feedback/final.csv:1:2"]
    _, problems = load_surveys(tmp_path, config(file="feedback/none.csv"))
    assert [p.severity for p in problems] == [Severity.ERROR]
    assert "not found" in problems[0].message


def test_duplicate_answer_is_warned(tmp_path: Path) -> None:
    folder = write(tmp_path, "respondent,satisfaction\nana,3\nana,5\n")
    _, problems = load_surveys(folder, config(columns={}))
    assert [str(p.location) for p in problems] == ["feedback/final.csv:3:1"]
    assert "later answer counts" in problems[0].message


def test_xlsx_export(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Form1"
    sheet.append(["ID", "Start time", "Satisfaction", "Recommend"])
    sheet.append([1, "2027-06-20", 5, 8])
    sheet.append([2, "2027-06-20", 2, "bad"])
    (tmp_path / "feedback").mkdir()
    book.save(tmp_path / "feedback" / "final.xlsx")
    responses, problems = load_surveys(
        tmp_path, config(file="feedback/final.xlsx", columns={}, sheet="Form1")
    )
    assert [(r.satisfaction, r.recommend) for r in responses] == [(5, 8), (2, None)]
    assert [str(p.location) for p in problems] == ["feedback/final.xlsx:3:4"]


EXCHANGE = {
    "Your participant ID": "respondent",
    "I understand how decisions are made in the business": "insight",
    "I feel confident giving feedback to senior colleagues": "voice",
    "I can speak openly with my partner": "safety",
    "Is your partner a good fit?": "fit",
    "What do you do differently now?": "changes",
}


def test_the_exchange_fields(tmp_path: Path) -> None:
    """insight, voice and safety are 1-5 ratings; fit is good, unsure or poor (through
    `values`); changes is text. A fit answer with no mapping is an error at its cell."""
    text = (
        '"Your participant ID","I understand how decisions are made in the business",'
        '"I feel confident giving feedback to senior colleagues",'
        '"I can speak openly with my partner","Is your partner a good fit?",'
        '"What do you do differently now?"\r\n'
        '"ana","4 - Agree","3","5 - Strongly agree","A good match","I ask for data first"\r\n'
        '"ben","2","6","4","Not sure yet",""\r\n'
        '"","1","1","1","Not a good match","x"\r\n'
        '"ana2","","","","Perfect",""\r\n'
    )
    folder = write(tmp_path, text, "feedback/fit.csv")
    values = {"fit": {"A good match": "good", "Not sure yet": "unsure", "Not a good match": "poor"}}
    cfg = config(file="feedback/fit.csv", kind="fit_check", columns=EXCHANGE, values=values)
    people = [person("ana", "mentor"), person("ben", "mentee"), person("ana2", "mentor")]
    responses, problems = load_surveys(folder, cfg, participants=people)
    ana, ben, anon, ana2 = responses
    assert ana.survey_kind == "fit_check"
    assert (ana.insight, ana.voice, ana.safety, ana.fit) == (4, 3, 5, "good")
    assert ana.changes == "I ask for data first"
    assert (ben.insight, ben.voice, ben.safety, ben.fit, ben.changes) == (
        2,
        None,
        4,
        "unsure",
        None,
    )
    assert (anon.respondent, anon.fit) == (None, "poor")
    assert ana2.fit is None
    errors = {(str(p.location), p.message) for p in problems if p.severity is Severity.ERROR}
    assert ("feedback/fit.csv:3:3", "voice: `6` is outside 1-5") in errors
    (unmapped,) = [m for where, m in errors if where == "feedback/fit.csv:5:5"]
    assert "`Perfect`" in unmapped
