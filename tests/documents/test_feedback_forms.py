"""The paper feedback forms, one per survey kind: each asks what fits its moment, in the
very words of the online survey (`rmentor forms`), and nothing on them is addressed to
the coordinator."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import pytest

from rmentor.documents.forms import (
    SKILL,
    build_forms,
    feedback_documents,
    survey_form,
)
from rmentor.documents.packets import program_context
from rmentor.documents.render import Part, Renderer, md_escape
from rmentor.files.load import load
from rmentor.model.config import ProgramConfig
from rmentor.model.program import Program
from rmentor.model.vocabulary import KIND_ORDER
from tests.conftest import SAMPLE

TODAY = dt.date(2027, 1, 4)
COORDINATOR_WORDS = re.compile(
    r"for the coordinator|column|mapping|export|skill:|goal\\?_progress|respondent|survey file",
    re.IGNORECASE,
)


@cache
def sample() -> Program:
    return load(SAMPLE)


def without_surveys(config: ProgramConfig) -> ProgramConfig:
    evaluation = config.evaluation.model_copy(update={"surveys": []})
    return config.model_copy(update={"evaluation": evaluation})


@cache
def form_text(kind: str) -> str:
    program = sample()
    base = program_context(program.config, program.participants, program.pairings, TODAY)
    part = Part("feedback_form.md.j2", {**base, "survey_kind": kind})
    return Renderer(None, "a4").markdown(part)


def numbered(text: str) -> list[str]:
    return re.findall(r"^## \d+\. (.+)$", text, re.MULTILINE)


@pytest.mark.parametrize("kind", KIND_ORDER)
def test_the_paper_form_asks_the_online_questions_word_for_word(kind: str) -> None:
    text = form_text(kind)
    config = sample().config
    prefix = SKILL.format(topic="")
    for question in survey_form(config, kind).questions:
        if question.text.startswith(prefix):
            assert prefix.strip() in text
            assert f"| {md_escape(question.text[len(prefix) :])} |" in text
        elif question.text.startswith("Mentors only: "):
            assert f"| {question.text.removeprefix('Mentors only: ')} |" in text
            assert "## " in text
            assert "Mentors only" in text
        else:
            assert md_escape(question.text) in text, question.text
        for option in question.options:
            assert md_escape(option) in text


@pytest.mark.parametrize("kind", KIND_ORDER)
def test_no_participant_form_speaks_to_the_coordinator(kind: str) -> None:
    text = form_text(kind)
    assert not COORDINATOR_WORDS.search(text), COORDINATOR_WORDS.search(text)
    assert "Your name (optional)" not in text
    assert "☐ the midpoint" not in text  # no "this form is for" row: one form per kind
    assert not re.search(r"\{\{|\{%|TODO", text)


def test_the_pre_form_asks_nothing_that_has_not_happened_yet() -> None:
    text = form_text("pre")
    for word in ("so far", "satisf", "recommend", "progress", "learning goals", "openly"):
        assert word not in text.lower(), word
    assert "How confident are you today with:" in text
    assert "What do you hope to learn" in text
    assert "**Mentors only**" in text
    assert "I understand how decisions are made in the business" in text
    assert "I feel confident giving feedback to senior colleagues" in text


def test_the_fit_check_asks_exactly_three_questions() -> None:
    text = form_text("fit_check")
    assert numbered(text) == [
        "Is your partner a good fit for you?",
        "I can speak openly with my partner",
        "Anything we should know?",
    ]
    for option in ("Yes, a good fit", "Not sure yet", "No, not a good fit"):
        assert option in text
    assert "Your employee ID or work e-mail address" in text


def test_the_midpoint_form() -> None:
    text = form_text("midpoint")
    assert numbered(text) == [
        "How satisfied are you with the program so far?",
        "How likely are you to recommend the program to a colleague?",
        "How confident are you today with:",
        "How much progress have you made on your learning goals?",
        "I can speak openly with my partner",
        "What works well, and what should change?",
    ]
    assert "Mentors only" not in text
    assert "Midpoint survey opens" in text
    assert "Final survey opens" not in text


def test_the_final_form_needs_the_id_for_a_certificate() -> None:
    text = form_text("final")
    assert "How satisfied are you with the program?" in text
    assert "so far" not in text
    assert "needed for your certificate" in text
    assert "| Your employee ID or work e-mail address | |" in text
    assert "optional" not in text.lower()
    assert "anonymous" not in text.lower()
    headings = numbered(text)
    assert "I can speak openly with my partner" in headings
    assert "Mentors only" in headings
    assert "How much progress have you made on your learning goals?" in headings
    assert "How likely are you to recommend the program to a colleague?" in headings


def test_the_follow_up_asks_what_changed() -> None:
    text = form_text("follow_up")
    assert numbered(text)[0] == "What do you now do differently at work because of the program?"
    assert "Looking back, how satisfied are you with the program?" in text
    assert "Optional." in text
    for word in ("recommend", "so far", "Mentors only", "How confident"):
        assert word not in text


def test_one_paper_form_per_survey_the_program_uses() -> None:
    program = sample()
    base = program_context(program.config, program.participants, program.pairings, TODAY)
    docs = feedback_documents(program.config, base)
    kinds = [f.kind for f in build_forms(program.config) if f.kind]
    assert [d.path for d in docs] == [f"handouts/feedback-{k.replace('_', '-')}" for k in kinds]
    assert all(d.kind == "form" for d in docs)
    assert [d.parts[0].context["survey_kind"] for d in docs] == kinds
    bare = feedback_documents(without_surveys(program.config), base)
    assert [d.path for d in bare] == [
        "handouts/feedback-pre",
        "handouts/feedback-midpoint",
        "handouts/feedback-final",
    ]


def test_the_guide_tells_the_coordinator_which_form_when() -> None:
    program = sample()
    base = program_context(program.config, program.participants, program.pairings, TODAY)
    guide = Renderer(None, "a4").markdown(Part("coordinator_guide.md.j2", base))
    section = guide.split("### Surveys: which form when", 1)[1].split("\n## ", 1)[0]
    for when in (
        "Before the first session",
        "Right after the first session",
        "Halfway through",
        "At the end",
        "Three to six months after the end",
    ):
        assert when in section
    assert "certificate" in section
    assert "respondent column" in section  # the note taken off the participants' form
