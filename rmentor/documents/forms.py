"""The program's forms: sign-up, session check-in and surveys, as question sheets,
Google Apps Scripts and the mapping that reads their exports (`rmentor forms`). Pure.

`build_forms` turns the program's config into `Form`s: each `Question` has its exact
text, its kind (short answer, paragraph, multiple choice, checkboxes, linear scale,
checkbox grid, date), its options, whether it is required, and the canonical field its
answer feeds. Three outputs come from the same questions, so they cannot drift apart:

- `sheet_document`: the question sheet, a `Document` rendered like every other one
  (template `form_sheet.md.j2`);
- `apps_script`: a Google Apps Script (`FormApp`) that creates the form with exactly
  those texts. Program text is data: every string is a JSON string literal (with `<`,
  `>`, `&` and the two JavaScript line separators escaped as well), never code;
- `mapping_yaml`: the `roster:`, `meetings.checkin` and `evaluation.surveys` entries
  that read the exports (header = question text; Google writes a grid as
  `Question [Row]` and joins checkbox answers with `;`), ready to paste.

The question texts never depend on the roster, so a program can make its forms
before anyone has signed up.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from ..model.config import ProgramConfig, minutes_of_day
from ..model.vocabulary import KIND_ORDER, KIND_TITLES, SKILL_PREFIX
from ..text import visible
from .render import Document, Part

QuestionKind = Literal["short", "paragraph", "choice", "checkboxes", "scale", "grid", "date"]

KIND_WORDS: dict[str, str] = {
    "short": "Short answer",
    "paragraph": "Paragraph",
    "choice": "Multiple choice (one answer)",
    "checkboxes": "Checkboxes (any number of answers)",
    "scale": "Linear scale",
    "grid": "Checkbox grid (any number of answers per row)",
    "date": "Date",
}
FORMS_DIR = "forms"  # under the out folder
MAPPING_FILE = f"{FORMS_DIR}/mapping.yaml"
SHEET_TEMPLATE = "form_sheet.md.j2"
LIST_SEPARATOR = ";"  # Google's "Download responses (.csv)" joins checkbox answers with it
TIMESTAMP = "Timestamp"  # Google's first column: when the answer was sent
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
NOON = 12 * 60
SIGNUP_FILE = "signup.csv"
CHECKIN_FILE = "checkin.csv"
# The name of each form's Apps Script function: fixed text, never made from program data.
FUNCTIONS = {
    "signup": "createSignUpForm",
    "checkin": "createCheckInForm",
    "survey-pre": "createPreSurveyForm",
    "survey-fit-check": "createFitCheckForm",
    "survey-midpoint": "createMidpointSurveyForm",
    "survey-final": "createFinalSurveyForm",
    "survey-follow-up": "createFollowUpSurveyForm",
}

ROLE_OPTIONS = {
    "mentor": "Mentor: I am early in my career and can show a senior colleague digital "
    "tools and new ways of working",
    "mentee": "Mentee: I am a senior colleague who wants to learn them, and can share how "
    "the business works",
}
STATUS_OPTIONS = {
    "held": "Yes, we met",
    "cancelled": "No, it was cancelled or postponed",
    "no-show": "No, my partner did not come",
}


@dataclass(frozen=True)
class Question:
    """One question of a form, and the canonical field its answer feeds.

    `values` maps an option's text to the value the field takes (a role, a status, a
    time range); `rows` are a grid's rows (each one an export column `text [row]`);
    `low`/`high` and their labels are a scale's ends.
    """

    text: str
    kind: QuestionKind
    field: str | None  # None: asked for people, ignored by rmentor (`~`)
    required: bool = False
    options: tuple[str, ...] = ()
    help: str = ""
    values: Mapping[str, str] = dataclasses.field(default_factory=dict)
    rows: tuple[str, ...] = ()
    low: int = 1
    high: int = 5
    low_label: str = ""
    high_label: str = ""
    whole_number: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        """The export's column(s) for this question, as Google writes them."""
        if self.kind == "grid":
            return tuple(f"{self.text} [{row}]" for row in self.rows)
        return (self.text,)

    @property
    def kind_words(self) -> str:
        """The question's type for a person building the form by hand."""
        if self.kind == "scale":
            return f"{KIND_WORDS['scale']} {self.low}-{self.high}"
        return KIND_WORDS[self.kind]


@dataclass(frozen=True)
class Form:
    """One form: its title, description and questions, and where its export goes."""

    key: str  # signup, checkin, survey-<kind> (`-` for `_`): its files' names under out/forms/
    title: str
    description: str
    questions: tuple[Question, ...]
    export: str  # the export's file name in the program folder, as mapping.yaml says
    kind: str | None = None  # a survey's kind

    def mapping(self) -> dict[str, Any]:
        """`columns` (and `values` when some option needs one) for this form's export."""
        columns: dict[str, Any] = {TIMESTAMP: "submitted"}
        values: dict[str, dict[str, str]] = {}
        for question in self.questions:
            for header in question.headers:
                columns[header] = question.field
            if question.values and question.field is not None:
                values.setdefault(question.field, {}).update(question.values)
        return {"columns": columns, "values": values} if values else {"columns": columns}


def _text(value: object) -> str:
    """Program text as one visible line (no control or invisible characters)."""
    return visible(str(value))


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def time_slots(config: ProgramConfig) -> dict[str, str]:
    """The availability grid's columns: label -> `HH:MM-HH:MM`, from the program's day
    (`meetings.day_start` to `day_end`), split at noon when the day spans it."""
    start = minutes_of_day(config.meetings.day_start)
    end = minutes_of_day(config.meetings.day_end)
    if start < NOON < end:
        parts = [("Morning", start, NOON), ("Afternoon", NOON, end)]
    else:
        parts = [("Any time", start, end)]
    return {f"{name} ({_clock(a)}-{_clock(b)})": f"{_clock(a)}-{_clock(b)}" for name, a, b in parts}


def _topic_titles(config: ProgramConfig) -> tuple[str, ...]:
    return tuple(_text(t.title) for t in config.topics)


def signup_form(config: ProgramConfig) -> Form:
    """The sign-up: who someone is, their role, topics, hours and what matching uses."""
    info, rules, weights = config.program, config.matching.rules, config.matching.weights
    topics = _topic_titles(config)
    slots = time_slots(config)
    several = f"Separate several with a semicolon ({LIST_SEPARATOR})."
    questions = [
        Question("Your employee ID", "short", "id", required=True),
        Question("Your full name", "short", "name", required=True),
        Question("Your work e-mail address", "short", "email", required=True),
        Question(
            "How would you like to take part?",
            "choice",
            "role",
            required=True,
            options=tuple(ROLE_OPTIONS.values()),
            values={text: role for role, text in ROLE_OPTIONS.items()},
        ),
        Question("Your department", "short", "department"),
        Question("Your job title", "short", "title"),
    ]
    if rules.seniority.mode != "off":
        questions.append(
            Question(
                "Your grade or level",
                "short",
                "level",
                required=rules.seniority.mode == "hard",
                help="A whole number; higher means more senior.",
                whole_number=True,
            )
        )
    if rules.reporting_line.mode != "off":
        questions.append(
            Question(
                "Your manager's employee ID",
                "short",
                "manager",
                help="So that nobody is paired inside their own reporting line.",
            )
        )
    if info.offices:
        questions.append(
            Question(
                "Where do you usually work?",
                "choice",
                "location",
                options=tuple(_text(name) for name in info.offices),
            )
        )
    else:
        questions.append(Question("Where do you usually work?", "short", "location"))
    questions.append(
        Question(
            "Your time zone, if you work in another one",
            "short",
            "timezone",
            help=f"For example Europe/London. Leave empty for {_text(info.timezone)}"
            + (" or your office's." if info.offices else "."),
        )
    )
    if topics:
        questions += [
            Question(
                "Mentors: which topics could you teach?",
                "checkboxes",
                "skills",
                options=topics,
            ),
            Question(
                "Mentees: which topics would you like to learn?",
                "checkboxes",
                "interests",
                options=topics,
            ),
        ]
    questions.append(
        Question(
            "When can you meet?",
            "grid",
            "availability",
            help="Tick every time of day that usually suits you, day by day.",
            options=tuple(slots),
            rows=DAYS,
            values=slots,
        )
    )
    if weights.language > 0:
        questions.append(
            Question(
                "Which languages can you hold a session in?", "short", "languages", help=several
            )
        )
    if weights.generation > 0:
        questions.append(
            Question(
                "Your year of birth (optional)",
                "short",
                "birth_year",
                help="Only used to pair people across generations; never printed.",
                whole_number=True,
            )
        )
    if rules.gender.mode != "off":
        questions.append(Question("Your gender (optional)", "short", "gender"))
    if weights.prefer > 0:
        questions.append(
            Question(
                "Employee IDs of colleagues you would like to be paired with",
                "short",
                "prefer",
                help=several,
            )
        )
    if rules.avoid.mode != "off":
        questions.append(
            Question(
                "Employee IDs of colleagues you should not be paired with",
                "short",
                "avoid",
                help=f"{several} Only the coordinator sees this.",
            )
        )
    questions.append(Question("Anything else the coordinator should know?", "paragraph", "notes"))
    name, org = _text(info.name), _text(info.organization)
    description = (
        f"Sign up for {name} at {org}: a reverse-mentoring program from "
        f"{info.start.isoformat()} to {info.end.isoformat()}, in which early-career "
        "colleagues (mentors) show senior colleagues (mentees) digital tools and new ways "
        "of working, and learn how the business works in return."
    )
    return Form("signup", f"{name}: sign-up", description, tuple(questions), SIGNUP_FILE)


def checkin_form(config: ProgramConfig) -> Form:
    """The check-in: a participant reports one session (held, cancelled, missed)."""
    info = config.program
    topics = _topic_titles(config)
    questions = [
        Question(
            "Your employee ID or work e-mail address",
            "short",
            "respondent",
            required=True,
            help="Your pair is found from it.",
        ),
        Question("Your partner's name", "short", None, help="So that the coordinator can check."),
        Question("Date of the session", "date", "date", required=True),
        Question(
            "Did the session take place?",
            "choice",
            "status",
            required=True,
            options=tuple(STATUS_OPTIONS.values()),
            values={text: status for status, text in STATUS_OPTIONS.items()},
        ),
        Question(
            "How many minutes did you meet?",
            "short",
            "minutes",
            help="A whole number; leave empty if you did not meet.",
            whole_number=True,
        ),
    ]
    if topics:
        questions.append(
            Question("Which topics did you cover?", "checkboxes", "topics", options=topics)
        )
    questions.append(
        Question(
            "Notes",
            "paragraph",
            "notes",
            help="Optional. Your partner and the coordinator may read them.",
        )
    )
    description = (
        f"Report each session of {_text(info.name)} right after it: held, cancelled, or "
        "missed. One answer per session is enough; if both of you report it, it counts once."
    )
    return Form(
        "checkin",
        f"{_text(info.name)}: session check-in",
        description,
        tuple(questions),
        CHECKIN_FILE,
    )


# The survey questions' texts, word for word as the paper feedback forms print them
# (templates/documents/feedback_form.md.j2): the export's headers are these texts.
SATISFACTION = {
    "midpoint": "How satisfied are you with the program so far?",
    "final": "How satisfied are you with the program?",
    "follow_up": "Looking back, how satisfied are you with the program?",
}
RECOMMEND = "How likely are you to recommend the program to a colleague?"
SKILL = "How confident are you today with: {topic}"
GOAL_PROGRESS = "How much progress have you made on your learning goals?"
SAFETY = "I can speak openly with my partner"
INSIGHT = "Mentors only: I understand how decisions are made in the business"
VOICE = "Mentors only: I feel confident giving feedback to senior colleagues"
FIT = "Is your partner a good fit for you?"
FIT_OPTIONS = {
    "good": "Yes, a good fit",
    "unsure": "Not sure yet",
    "poor": "No, not a good fit",
}
CHANGES = "What do you now do differently at work because of the program?"
COMMENTS = {
    "pre": "What do you hope to learn or share in the program?",
    "fit_check": "Anything we should know?",
    "midpoint": "What works well, and what should change?",
    "final": "What will you keep doing after the program? Any other comments?",
    "follow_up": "Anything else you would like to tell us?",
}
RESPONDENT = "Your employee ID"
RESPONDENT_NAMED = "Your employee ID or work e-mail address"
AGREE = ("Strongly disagree", "Strongly agree")
# The kinds a program without `evaluation.surveys` is given: the three classic ones.
DEFAULT_KINDS: tuple[str, ...] = ("pre", "midpoint", "final")
# Kinds whose answers are no use without a name: the fit check and the follow-up are
# read per pair and per mentee, and the final survey counts towards a certificate.
NAMED_KINDS = frozenset({"fit_check", "final", "follow_up"})


def survey_kinds(config: ProgramConfig) -> tuple[str, ...]:
    """The survey kinds the program uses (`evaluation.surveys`), in order; pre, midpoint
    and final while none is listed yet (a program makes its forms before any export
    exists). The paper feedback forms are made for the same kinds."""
    used = {s.kind for s in config.evaluation.surveys}
    return tuple(k for k in KIND_ORDER if k in used) or DEFAULT_KINDS


def _respondent(config: ProgramConfig, kind: str) -> Question:
    if kind == "final" and config.evaluation.certificate.final_survey:
        why = "Needed for your certificate: an answer without it cannot count towards one."
    elif kind == "fit_check":
        why = "Needed to know which pair your answer is about."
    elif kind == "final":
        why = "Needed to compare your answers with your first survey."
    elif kind == "follow_up":
        why = "Needed to compare your answer with your earlier surveys."
    else:
        return Question(
            RESPONDENT,
            "short",
            "respondent",
            help="Leave it empty to answer anonymously; with it, your answers can be "
            "compared from one survey to the next.",
        )
    return Question(RESPONDENT_NAMED, "short", "respondent", required=True, help=why)


def _scale(text: str, field: str, *, help: str = "", required: bool = False) -> Question:
    low, high = AGREE
    return Question(
        text, "scale", field, required=required, help=help, low_label=low, high_label=high
    )


def survey_questions(config: ProgramConfig, kind: str) -> tuple[Question, ...]:
    """One survey kind's questions, in the paper form's order:

    - pre: confidence per topic, the mentors' insight and voice, what they hope for;
    - fit_check: exactly fit, safety and one free text;
    - midpoint: satisfaction so far, recommendation, topics, goals, safety;
    - final: satisfaction, recommendation, topics, goals, safety, insight and voice;
    - follow_up: what they do differently, satisfaction looking back (optional).
    """
    questions = [_respondent(config, kind)]
    if kind == "fit_check":
        return (
            *questions,
            Question(
                FIT,
                "choice",
                "fit",
                required=True,
                options=tuple(FIT_OPTIONS.values()),
                values={text: answer for answer, text in FIT_OPTIONS.items()},
            ),
            _scale(SAFETY, "safety", required=True),
            Question(
                COMMENTS[kind], "paragraph", "comments", help="Only the coordinator reads it."
            ),
        )
    if kind == "follow_up":
        questions.append(Question(CHANGES, "paragraph", "changes", required=True))
    if kind in SATISFACTION:
        questions.append(
            Question(
                SATISFACTION[kind],
                "scale",
                "satisfaction",
                required=kind != "follow_up",
                low_label="Very dissatisfied",
                high_label="Very satisfied",
            )
        )
    if kind in ("midpoint", "final"):
        questions.append(
            Question(
                RECOMMEND,
                "scale",
                "recommend",
                required=True,
                low=0,
                high=10,
                low_label="Not at all likely",
                high_label="Extremely likely",
            )
        )
    if kind in ("pre", "midpoint", "final"):
        questions += [
            Question(
                SKILL.format(topic=_text(topic.title)),
                "scale",
                f"{SKILL_PREFIX}{topic.id}",
                low_label="I have not used it",
                high_label="I could show a colleague",
            )
            for topic in config.topics
        ]
    if kind in ("midpoint", "final"):
        questions += [
            Question(
                GOAL_PROGRESS,
                "scale",
                "goal_progress",
                low_label="Not started",
                high_label="Fully reached",
            ),
            _scale(SAFETY, "safety"),
        ]
    if kind in ("pre", "final"):
        mentors = "Mentees leave it empty."
        questions += [
            _scale(INSIGHT, "insight", help=mentors),
            _scale(VOICE, "voice", help=mentors),
        ]
    questions.append(Question(COMMENTS[kind], "paragraph", "comments"))
    return tuple(questions)


def survey_form(config: ProgramConfig, kind: str) -> Form:
    """A survey of one kind: the canonical survey fields it asks (`survey_questions`)."""
    info, evaluation = config.program, config.evaluation
    title = f"{_text(info.name)}: {KIND_TITLES[kind].lower()}"
    minutes = "Two minutes" if kind == "fit_check" else "About ten minutes"
    description = (
        f"{minutes}. Results are only shown for groups of at least "
        f"{evaluation.anonymity_threshold} people, and comments are quoted without names."
    )
    export = next(
        (s.file for s in evaluation.surveys if s.kind == kind),
        f"feedback/{kind.replace('_', '-')}-survey.csv",
    )
    questions = survey_questions(config, kind)
    return Form(
        f"survey-{kind.replace('_', '-')}", title, description, questions, export, kind=kind
    )


def build_forms(config: ProgramConfig) -> tuple[Form, ...]:
    """Every form the program uses: sign-up, check-in, then each survey kind."""
    surveys = tuple(survey_form(config, kind) for kind in survey_kinds(config))
    return (signup_form(config), checkin_form(config), *surveys)


# -- the paper feedback forms ----------------------------------------------------------------

FEEDBACK_TEMPLATE = "feedback_form.md.j2"
PACKET_SURVEY = "final"  # the paper form in each pair's packet: the one a certificate needs


def feedback_name(kind: str) -> str:
    """A paper feedback form's file under out/: `handouts/feedback-<kind>`."""
    return f"handouts/feedback-{kind.replace('_', '-')}"


def feedback_documents(
    config: ProgramConfig, base: Mapping[str, Any] | Callable[[str], Mapping[str, Any]]
) -> list[Document]:
    """One printable feedback form per survey kind the program uses (`survey_kinds`),
    rendered from `base` (the handouts' program context) with its `survey_kind`; or
    from `base(kind)`, the context a build shares with its packets (`Contexts.form`)."""
    context = base if callable(base) else (lambda kind: {**base, "survey_kind": kind})
    return [
        Document(
            feedback_name(kind),
            f"Feedback form: {KIND_TITLES[kind].lower()}",
            (Part(FEEDBACK_TEMPLATE, context(kind), "form"),),
            "form",
        )
        for kind in survey_kinds(config)
    ]


# -- the question sheet ---------------------------------------------------------------------


def sheet_context(form: Form) -> dict[str, Any]:
    """The question sheet's template context: plain dicts and strings."""
    return {
        "title": form.title,
        "description": form.description,
        "export": form.export,
        "questions": [
            {
                "text": q.text,
                "kind": q.kind,
                "kind_words": q.kind_words,
                "required": q.required,
                "help": q.help,
                "options": list(q.options),
                "rows": list(q.rows),
                "low": q.low,
                "high": q.high,
                "low_label": q.low_label,
                "high_label": q.high_label,
                "field": q.field,
                "headers": list(q.headers),
                "answers": dict(q.values),  # not `values`: Jinja would find dict.values
                "whole_number": q.whole_number,
            }
            for q in form.questions
        ],
    }


def sheet_document(form: Form) -> Document:
    """The question sheet as a document (`out/forms/<key>.<fmt>`)."""
    return Document(
        f"{FORMS_DIR}/{form.key}", form.title, (Part(SHEET_TEMPLATE, sheet_context(form)),)
    )


# -- the Google Apps Script -----------------------------------------------------------------

_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def js_string(text: str) -> str:
    """A JavaScript string literal holding `text` as data: JSON's escaping (quotes,
    backslashes, control characters), plus `<`, `>`, `&` and U+2028/U+2029, so the
    literal stays one string in any file or page it is pasted into."""
    literal = json.dumps(text, ensure_ascii=False)
    return "".join(_JS_ESCAPES.get(ch, ch) for ch in literal)


def _js_list(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(js_string(i) for i in items) + "]"


def _item_lines(q: Question) -> list[str]:
    add = {
        "short": "addTextItem()",
        "paragraph": "addParagraphTextItem()",
        "choice": "addMultipleChoiceItem()",
        "checkboxes": "addCheckboxItem()",
        "scale": "addScaleItem()",
        "grid": "addCheckboxGridItem()",
        "date": "addDateItem()",
    }[q.kind]
    calls = [f".setTitle({js_string(q.text)})"]
    if q.help:
        calls.append(f".setHelpText({js_string(q.help)})")
    if q.kind in ("choice", "checkboxes"):
        calls.append(f".setChoiceValues({_js_list(q.options)})")
    if q.kind == "scale":
        calls.append(f".setBounds({q.low:d}, {q.high:d})")
        calls.append(f".setLabels({js_string(q.low_label)}, {js_string(q.high_label)})")
    if q.kind == "grid":
        calls.append(f".setRows({_js_list(q.rows)})")
        calls.append(f".setColumns({_js_list(q.options)})")
    if q.whole_number:
        calls.append(".setValidation(FormApp.createTextValidation().requireWholeNumber().build())")
    calls.append(f".setRequired({'true' if q.required else 'false'})")
    return [f"  form.{add}"] + [f"    {c}" for c in calls[:-1]] + [f"    {calls[-1]};"]


def apps_script(form: Form) -> str:
    """A Google Apps Script that creates this form with exactly these texts."""
    function = FUNCTIONS[form.key]
    lines = [
        "// Creates this Google Form. Generated by `rmentor forms`: change the questions in",
        "// program.yaml and run it again, not here, since rmentor reads the export by these",
        "// exact texts (out/forms/mapping.yaml).",
        "//",
        "// script.google.com > New project: paste this file, choose " + function + ", Run.",
        "// The log shows the links to edit and to share the form.",
        "",
        f"function {function}() {{",
        f"  var form = FormApp.create({js_string(form.title)});",
        f"  form.setDescription({js_string(form.description)});",
        "  form.setCollectEmail(false);",
    ]
    for question in form.questions:
        lines += _item_lines(question)
    lines += [
        '  Logger.log("Edit: " + form.getEditUrl());',
        '  Logger.log("Share: " + form.getPublishedUrl());',
        "  return form;",
        "}",
        "",
    ]
    return "\n".join(lines)


# -- mapping.yaml ---------------------------------------------------------------------------

MAPPING_HEAD = """\
# How rmentor reads the exports of the forms in this folder: paste each block into
# program.yaml (replacing what is there). Export each form's answers with Google Forms'
# Responses > Download responses (.csv), and save the file under the name given here.
# Google joins checkbox answers with ";" (hence list_separator), writes a grid
# question as "Question [Row]", and the Timestamp column is when the answer was sent.
# A header mapped to ~ is asked for people and ignored by rmentor.
"""


def mapping(forms: tuple[Form, ...]) -> dict[str, Any]:
    """The program.yaml entries that read every form's export."""
    result: dict[str, Any] = {}
    for form in forms:
        if form.key == "signup":
            item = {"file": form.export, **form.mapping(), "list_separator": LIST_SEPARATOR}
            result["roster"] = {"files": [item]}
        elif form.key == "checkin":
            result["meetings"] = {"checkin": form.mapping()}
        else:
            surveys = result.setdefault("evaluation", {}).setdefault("surveys", [])
            surveys.append({"file": form.export, "kind": form.kind, **form.mapping()})
    return result


class _Dumper(yaml.SafeDumper):
    """Safe YAML, with an ignored column written `~` as program.yaml's docs write it."""


_Dumper.add_representer(
    type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", "~")
)


def mapping_yaml(forms: tuple[Form, ...]) -> str:
    """mapping.yaml's text: deterministic, UTF-8, every key in the order asked."""
    body = yaml.dump(
        mapping(forms),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=4096,
        default_flow_style=False,
    )
    return MAPPING_HEAD + body


def form_files(forms: tuple[Form, ...]) -> dict[str, bytes]:
    """Each form's Apps Script and the one mapping.yaml: name under out/ -> bytes.
    (The question sheets are `Document`s, rendered in the chosen format.)"""
    files = {f"{FORMS_DIR}/{form.key}.gs": apps_script(form).encode("utf-8") for form in forms}
    files[MAPPING_FILE] = mapping_yaml(forms).encode("utf-8")
    return files
