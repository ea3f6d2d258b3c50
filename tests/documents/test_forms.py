"""`rmentor forms`' engine: the questions, the Apps Script, mapping.yaml, the sheets.

The .gs is run in Node (where the machine has it) against a stand-in `FormApp` that
records every call, so the test sees the very titles, options and rows the script
would give Google; without Node a careful scan checks it. Hostile program text
(quotes, backslashes, `</script>`, `${}`, line breaks) must stay data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from rmentor.documents.forms import (
    FUNCTIONS,
    MAPPING_FILE,
    Form,
    apps_script,
    build_forms,
    form_files,
    js_string,
    mapping_yaml,
    sheet_document,
    survey_kinds,
    time_slots,
)
from rmentor.documents.render import Renderer, md_escape
from rmentor.files.load import load
from rmentor.model.config import ProgramConfig
from tests.conftest import SAMPLE

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
# Regenerate with:
#   RMENTOR_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/documents/test_forms.py
UPDATE = os.environ.get("RMENTOR_UPDATE_GOLDEN") == "1"
NODE = shutil.which("node")

HOSTILE = "He said \"hi\" \\ 'bye' </script><script>alert(1)</script> ${process.exit(1)} `x`"
HOSTILE_LINES = "first line\nsecond line\u2028third\r\n// not a comment */ /*"


def sample_config() -> ProgramConfig:
    return load(SAMPLE).config


def hostile_config() -> ProgramConfig:
    return ProgramConfig.model_validate(
        {
            "program": {
                "name": HOSTILE,
                "organization": HOSTILE_LINES,
                "leader": {"name": "Lee", "email": "lee@example.com"},
                "start": "2027-01-11",
                "end": "2027-06-25",
                "timezone": "Europe/Berlin",
                "offices": {HOSTILE: {}, "Berlin; Mitte": {}},
            },
            "topics": [
                {"id": "quote", "title": HOSTILE},
                {"id": "lines", "title": HOSTILE_LINES},
                {"id": "yaml", "title": "key: value # not a comment"},
                {"id": "uni", "title": "Ünïcödé ☃ 名前"},
            ],
            "meetings": {"day_start": "08:30", "day_end": "18:00"},
        }
    )


# -- running the script ----------------------------------------------------------------------

HARNESS = """
const calls = [];
function recorder(kind) {
  const target = {};
  const proxy = new Proxy(target, {
    get(_, name) {
      return (...args) => { calls.push([kind, String(name), args]); return proxy; };
    },
  });
  return proxy;
}
const form = new Proxy({}, {
  get(_, name) {
    name = String(name);
    return (...args) => {
      if (name.startsWith("add")) { calls.push(["form", name, args]); return recorder(name); }
      calls.push(["form", name, args]);
      return "https://example.invalid/" + name;
    };
  },
});
var FormApp = {
  create(title) { calls.push(["FormApp", "create", [title]]); return form; },
  createTextValidation() {
    return { requireWholeNumber() { return this; }, build() { return "whole"; } };
  },
};
var Logger = { log() {} };
"""


def run_script(tmp_path: Path, form: Form) -> list[list[Any]]:
    """The FormApp calls the script makes, recorded by running it in Node."""
    assert NODE is not None
    script = tmp_path / f"{form.key}.js"
    script.write_text(
        HARNESS
        + apps_script(form)
        + f"\n{FUNCTIONS[form.key]}();\nconsole.log(JSON.stringify(calls));\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [NODE, str(script)], capture_output=True, text=True, encoding="utf-8", timeout=60
    )
    assert done.returncode == 0, done.stderr
    calls: list[list[Any]] = json.loads(done.stdout)
    return calls


def expected_calls(form: Form) -> dict[str, list[Any]]:
    """What the recorded calls must hold: titles, options, rows, bounds, in order."""
    return {
        "create": [form.title],
        "setDescription": [form.description],
        "setTitle": [q.text for q in form.questions],
        "setChoiceValues": [
            list(q.options) for q in form.questions if q.kind in ("choice", "checkboxes")
        ],
        "setRows": [list(q.rows) for q in form.questions if q.kind == "grid"],
        "setColumns": [list(q.options) for q in form.questions if q.kind == "grid"],
        "setBounds": [[q.low, q.high] for q in form.questions if q.kind == "scale"],
        "setRequired": [q.required for q in form.questions],
    }


def recorded(calls: list[list[Any]]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {k: [] for k in expected_calls(Form("x", "", "", (), ""))}
    for _, name, args in calls:
        if name in ("create", "setDescription", "setTitle", "setRequired"):
            found[name].append(args[0])
        elif name in found:
            found[name].append(args[0] if len(args) == 1 else args)
    return found


# A string literal as `js_string` writes it: a JSON string with no raw line break.
_LITERAL = re.compile(r'"(?:[^"\\\n\r\u2028\u2029]|\\.)*"')
# What may stand outside the literals: identifiers, calls, comments of fixed text.
_CODE = re.compile(r"^[\w\s.(),;{}\[\]=+]*$")


def scan_script(text: str) -> list[str]:
    """Without Node: the script's string literals (decoded), after checking that what
    lies between them is plain code, every bracket balanced, no template literal."""
    literals = [json.loads(m) for m in _LITERAL.findall(text)]
    code = _LITERAL.sub("STRING", text)
    code = "\n".join(line for line in code.split("\n") if not line.startswith("//"))
    assert "`" not in code
    assert "${" not in code
    assert "<" not in code
    assert _CODE.match(code), "unexpected characters outside string literals"
    for opening, closing in ("()", "{}", "[]"):
        assert code.count(opening) == code.count(closing)
    return literals


def check_script(tmp_path: Path, form: Form) -> None:
    text = apps_script(form)
    literals = scan_script(text)  # always: it also keeps the literals to JSON's shape
    for question in form.questions:
        assert js_string(question.text) in text
        assert question.text in literals
    if NODE is None:
        return
    js = tmp_path / "check.js"
    js.write_text(text, encoding="utf-8")
    checked = subprocess.run([NODE, "--check", str(js)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert recorded(run_script(tmp_path, form)) == expected_calls(form)


# -- the questions ---------------------------------------------------------------------------


def test_the_sample_gets_signup_checkin_and_its_four_surveys() -> None:
    forms = build_forms(sample_config())
    assert [f.key for f in forms] == [
        "signup",
        "checkin",
        "survey-pre",
        "survey-fit-check",
        "survey-midpoint",
        "survey-final",
    ]
    signup = forms[0]
    fields = [q.field for q in signup.questions]
    for needed in ("id", "name", "email", "role", "skills", "interests", "availability"):
        assert needed in fields
    topics = tuple(t.title for t in sample_config().topics)
    skills = next(q for q in signup.questions if q.field == "skills")
    assert skills.options == topics
    assert skills.kind == "checkboxes"
    role = next(q for q in signup.questions if q.field == "role")
    assert sorted(role.values.values()) == ["mentee", "mentor"]
    assert all(option in role.values for option in role.options)
    assert all(option.split(":")[0] in ("Mentor", "Mentee") for option in role.options)


def test_each_form_asks_each_text_once() -> None:
    for form in build_forms(hostile_config()) + build_forms(sample_config()):
        headers = [h for q in form.questions for h in q.headers]
        assert len(headers) == len(set(headers)), form.key
        assert "Timestamp" not in headers


def test_slots_follow_the_program_day() -> None:
    assert time_slots(hostile_config()) == {
        "Morning (08:30-12:00)": "08:30-12:00",
        "Afternoon (12:00-18:00)": "12:00-18:00",
    }
    late = hostile_config().model_copy(
        update={
            "meetings": hostile_config().meetings.model_copy(update={"day_start": dt.time(13, 0)})
        }
    )
    assert time_slots(late) == {"Any time (13:00-18:00)": "13:00-18:00"}


def test_surveys_are_the_kinds_the_program_uses_or_all() -> None:
    assert survey_kinds(sample_config()) == ("pre", "fit_check", "midpoint", "final")
    assert survey_kinds(hostile_config()) == ("pre", "midpoint", "final")  # none listed
    only = sample_config().evaluation.model_copy(
        update={"surveys": sample_config().evaluation.surveys[-1:]}
    )
    assert survey_kinds(sample_config().model_copy(update={"evaluation": only})) == ("final",)


def test_surveys_ask_the_canonical_fields() -> None:
    forms = {f.key: f for f in build_forms(sample_config())}
    topics = [f"skill:{t.id}" for t in sample_config().topics]
    pre = [q.field for q in forms["survey-pre"].questions]
    assert pre == ["respondent", *topics, "insight", "voice", "comments"]
    midpoint = [q.field for q in forms["survey-midpoint"].questions]
    assert midpoint == [
        "respondent",
        "satisfaction",
        "recommend",
        *topics,
        "goal_progress",
        "safety",
        "comments",
    ]
    final = [q.field for q in forms["survey-final"].questions]
    assert final == [
        "respondent",
        "satisfaction",
        "recommend",
        *topics,
        "goal_progress",
        "safety",
        "insight",
        "voice",
        "comments",
    ]
    recommend = next(q for q in forms["survey-final"].questions if q.field == "recommend")
    assert (recommend.low, recommend.high, recommend.kind) == (0, 10, "scale")
    assert not forms["survey-pre"].questions[0].required  # empty = an anonymous answer
    respondent = forms["survey-final"].questions[0]
    assert respondent.required  # the certificate needs it
    assert "certificate" in respondent.help
    assert "e-mail" in respondent.text


def with_kinds(*kinds: str) -> ProgramConfig:
    config = sample_config()
    surveys = [
        {
            "file": f"feedback/{kind}.csv",
            "kind": kind,
            "columns": {"Your employee ID": "respondent"},
        }
        for kind in kinds
    ]
    evaluation = config.evaluation.model_copy(
        update={"surveys": [type(config.evaluation.surveys[0]).model_validate(s) for s in surveys]}
    )
    return config.model_copy(update={"evaluation": evaluation})


def test_fit_check_and_follow_up_forms() -> None:
    config = with_kinds("pre", "fit_check", "final", "follow_up")
    assert survey_kinds(config) == ("pre", "fit_check", "final", "follow_up")
    forms = {f.key: f for f in build_forms(config)}
    fit_check = forms["survey-fit-check"]
    assert [q.field for q in fit_check.questions] == ["respondent", "fit", "safety", "comments"]
    assert fit_check.questions[0].required  # a fit answer is read per pair
    fit = fit_check.questions[1]
    assert fit.text == "Is your partner a good fit for you?"
    assert sorted(fit.values.values()) == ["good", "poor", "unsure"]
    assert fit_check.mapping()["values"] == {"fit": dict(fit.values)}
    follow_up = [q.field for q in forms["survey-follow-up"].questions]
    assert follow_up == ["respondent", "changes", "satisfaction", "comments"]
    satisfaction = next(q for q in forms["survey-follow-up"].questions if q.field == "satisfaction")
    assert not satisfaction.required  # looking back, optional
    assert FUNCTIONS["survey-fit-check"]
    assert FUNCTIONS["survey-follow-up"]


# -- the Apps Script ---------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["sample", "hostile"])
def test_the_script_creates_the_form_with_exactly_its_texts(tmp_path: Path, which: str) -> None:
    config = sample_config() if which == "sample" else hostile_config()
    for form in build_forms(config):
        check_script(tmp_path, form)


def test_hostile_text_stays_a_string() -> None:
    text = apps_script(build_forms(hostile_config())[0])
    assert "</script>" not in text
    assert "<script>" not in text
    scan_script(text)  # `${` only inside string literals, never in a template literal
    assert "\u2028" not in text
    assert "\r" not in text
    for line in text.split("\n"):
        if "process.exit" in line:  # the hostile name is in a literal, quote escaped
            assert '\\"hi\\"' in line
    assert js_string('a"b\\c</d>&\u2028') == '"a\\"b\\\\c\\u003c/d\\u003e\\u0026\\u2028"'


def test_program_text_cannot_name_the_function() -> None:
    for form in build_forms(hostile_config()):
        assert f"function {FUNCTIONS[form.key]}() {{" in apps_script(form)


# -- mapping.yaml ------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["sample", "hostile"])
def test_mapping_names_every_header(which: str) -> None:
    config = sample_config() if which == "sample" else hostile_config()
    forms = build_forms(config)
    parsed = yaml.safe_load(mapping_yaml(forms))
    assert set(parsed) == {"roster", "meetings", "evaluation"}
    (item,) = parsed["roster"]["files"]
    assert item["file"] == "signup.csv"
    assert item["list_separator"] == ";"
    blocks = {
        "signup": item,
        "checkin": parsed["meetings"]["checkin"],
        **{f"survey-{s['kind'].replace('_', '-')}": s for s in parsed["evaluation"]["surveys"]},
    }
    for form in forms:
        block = blocks[form.key]
        assert block["columns"]["Timestamp"] == "submitted"
        for question in form.questions:
            for header in question.headers:
                assert block["columns"][header] == question.field
            if question.values:
                assert block["values"][question.field] == dict(question.values)
    assert item["columns"]["When can you meet? [Monday]"] == "availability"
    assert parsed["meetings"]["checkin"]["values"]["status"] == {
        "Yes, we met": "held",
        "No, it was cancelled or postponed": "cancelled",
        "No, my partner did not come": "no-show",
    }


def test_mapping_keeps_the_sample_survey_files() -> None:
    parsed = yaml.safe_load(mapping_yaml(build_forms(sample_config())))
    assert [s["file"] for s in parsed["evaluation"]["surveys"]] == [
        s.file for s in sample_config().evaluation.surveys
    ]
    assert "Your partner's name: ~" in mapping_yaml(build_forms(sample_config()))


def test_every_output_is_deterministic() -> None:
    first = form_files(build_forms(hostile_config()))
    again = form_files(build_forms(hostile_config()))
    assert first == again
    assert MAPPING_FILE in first
    assert "forms/signup.gs" in first
    renderer = Renderer(None)
    docs = [sheet_document(f) for f in build_forms(hostile_config())]
    once = [renderer.document(d.title, d.parts, "md", header="h") for d in docs]
    twice = [Renderer(None).document(d.title, d.parts, "md", header="h") for d in docs]
    assert once == twice


# -- the question sheets ---------------------------------------------------------------------


def test_hostile_sheet_stays_text() -> None:
    renderer = Renderer(None)
    for form in build_forms(hostile_config()):
        doc = sheet_document(form)
        html = renderer.document(doc.title, doc.parts, "html", header="h").decode()
        assert "<script>" not in html
        assert "</script>" not in html.split("</head>")[-1]
        assert "&lt;/script&gt;" in html


@pytest.mark.parametrize("key", ["signup", "checkin", "survey-final"])
def test_golden_sheet(key: str) -> None:
    form = next(f for f in build_forms(sample_config()) if f.key == key)
    doc = sheet_document(form)
    text = Renderer(None).document(doc.title, doc.parts, "md", header="h").decode()
    for question in form.questions:
        assert md_escape(question.kind_words) in text
        assert f"{md_escape(question.text)}\n" in text  # the heading: Markdown-escaped
    check_golden(f"forms__{key}.md", text)


def test_golden_mapping() -> None:
    check_golden("forms__mapping.yaml", mapping_yaml(build_forms(sample_config())))


def check_golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if UPDATE or not golden.exists():
        golden.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {golden.name} was missing and has been written")
    assert text == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"
