"""The evaluation report's charts: deterministic, page-safe, escaped SVG."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import combinations

import pytest

from rmentor.documents.charts import (
    AMBER,
    GREEN,
    Chart,
    _goal,
    attendance_chart,
    goals_chart,
    satisfaction_chart,
    skills_chart,
)
from tests.conftest import REPO

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script> & $x$"

WEEKS = [
    (dt.date(2027, 1, 11) + dt.timedelta(weeks=i), (3 * i) % 7, 6 if i != 5 else 3)
    for i in range(24)
]
SURVEYS = {"pre": [2, 5, 11, 14, 6], "midpoint": [1, 2, 8, 15, 9], "final": [0, 1, 5, 17, 15]}
TOPICS = [
    ("Social media for business", 2.1, 3.9),
    (HOSTILE, 2.0, 3.0),
    ("Generative AI tools: prompts, limits and risks", 1.8, 3.7),
    ("Accessibility basics", 1.9, math.nan),
]
GOALS = [
    ("Sessions held per pair", 9.0, 10.0, False),  # 90 %: missed
    ("Final satisfaction", 4.3, 4.0, False),  # met
    ("Dropouts", 0.0, 2.0, True),  # met, capped
    (HOSTILE, -5.0, 20.0, False),  # negative NPS: missed
]


def build() -> list[Chart]:
    """The four charts of the sample data (also run in subprocesses)."""
    return [
        attendance_chart(WEEKS),
        satisfaction_chart(SURVEYS),
        skills_chart(TOPICS),
        goals_chart(GOALS),
    ]


@pytest.fixture(scope="module")
def charts() -> list[Chart]:
    return build()


def ids(svg: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]*)"', svg))


def group(svg: str, gid: str) -> ET.Element:
    found = ET.fromstring(svg).find(f".//{SVG}g[@id='{gid}']")
    assert found is not None, gid
    return found


def texts(svg: str) -> list[str]:
    return [el.text or "" for el in ET.fromstring(svg).iter(f"{SVG}text")]


def bar_height(svg: str, gid: str) -> float:
    path = group(svg, gid).find(f"{SVG}path")
    assert path is not None
    ys = [float(y) for y in re.findall(r"[-\d.]+ ([-\d.]+)", path.get("d", ""))]
    return max(ys) - min(ys)


def test_names_titles_and_markup(charts: list[Chart]) -> None:
    assert [c.name for c in charts] == ["attendance", "satisfaction", "skills", "goals"]
    for chart in charts:
        svg = chart.svg
        assert svg.startswith("<svg ")
        assert svg.endswith("</svg>\n")
        for banned in ("<?xml", "<!DOCTYPE", "<!--", "<metadata", "Matplotlib v", "dc:date"):
            assert banned not in svg
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert root.get("viewBox", "").startswith("0 0 ")
        assert root.get("role") == "img"
        assert "max-width:100%" in root.get("style", "")
        assert root.get("width", "").endswith("pt")
        assert float(root.get("width", "0")[:-2]) == pytest.approx(6.3 * 72)
        title = root.find(f"{SVG}title")
        assert title is not None
        assert title.text == chart.title
        assert "'DejaVu Sans', sans-serif" in svg


def test_same_bytes_in_one_process(charts: list[Chart]) -> None:
    assert build() == charts


def test_same_bytes_whatever_the_hash_seed(charts: list[Chart]) -> None:
    """Across processes too; and importing rmentor.charts does not import matplotlib."""
    code = (
        "import hashlib, json, sys\n"
        "import rmentor.documents.charts\n"
        "lazy = 'matplotlib' not in sys.modules\n"
        "import tests.documents.test_charts as t\n"
        "digests = [hashlib.sha256(c.svg.encode()).hexdigest() for c in t.build()]\n"
        "print(json.dumps([lazy, digests]))\n"
    )
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for seed in ("1", "2")
    ]
    want = [hashlib.sha256(c.svg.encode()).hexdigest() for c in charts]
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        assert json.loads(out) == [True, want]


def test_ids_are_disjoint_prefixed_and_resolve(charts: list[Chart]) -> None:
    for chart in charts:
        own = ids(chart.svg)
        assert own
        assert all(
            i == f"rmentor-{chart.name}" or i.startswith(f"rmentor-{chart.name}-") for i in own
        )
        refs = set(re.findall(r'(?:url\(#|href="#)([^")]*)', chart.svg))
        assert refs
        assert refs <= own
        # The backend's catch-all stroke style is scoped to this chart.
        assert f"#rmentor-{chart.name} *{{" in chart.svg
        assert '<style type="text/css">*' not in chart.svg
    for a, b in combinations(charts, 2):
        assert not ids(a.svg) & ids(b.svg), (a.name, b.name)


@pytest.mark.parametrize("index", [2, 3])
def test_labels_are_escaped_and_not_mathtext(charts: list[Chart], index: int) -> None:
    svg = charts[index].svg
    assert "<script" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; $x$" in svg
    assert HOSTILE in texts(svg)


def test_rc_params_do_not_leak(charts: list[Chart]) -> None:
    import matplotlib

    assert matplotlib.rcParams["svg.hashsalt"] is None
    assert matplotlib.rcParams["text.parse_math"] is True


@pytest.mark.parametrize(
    "chart",
    [
        lambda: attendance_chart([]),
        lambda: satisfaction_chart({}),
        lambda: satisfaction_chart({"pre": [0, 0, 0, 0, 0]}),
        lambda: skills_chart([]),
        lambda: goals_chart([]),
    ],
)
def test_no_data_yet(chart: object) -> None:
    assert callable(chart)
    got = chart()
    assert isinstance(got, Chart)
    assert "No data yet" in texts(got.svg)
    assert got.svg.startswith("<svg ")
    assert ET.fromstring(got.svg).get("viewBox")


def test_attendance_bars_and_labels(charts: list[Chart]) -> None:
    svg = charts[0].svg
    assert len(re.findall(r'<g id="rmentor-attendance-held-\d+"', svg)) == len(WEEKS)
    assert len(re.findall(r'<g id="rmentor-attendance-planned-\d+"', svg)) == len(WEEKS)
    labels = texts(svg)
    assert "11 Jan" in labels
    assert "18 Jan" not in labels  # 24 weeks: every other week is labelled
    assert "25 Jan" in labels
    # Held bar of week 5 is 1 session, planned 3: bar heights follow the data.
    assert bar_height(svg, "rmentor-attendance-planned-5") == pytest.approx(
        3 * bar_height(svg, "rmentor-attendance-held-5"), rel=1e-3
    )


def test_attendance_labels_are_thinned() -> None:
    weeks = [(dt.date(2026, 8, 31) + dt.timedelta(weeks=i), 1, 2) for i in range(52)]
    svg = attendance_chart(weeks).svg
    assert len(re.findall(r'<g id="rmentor-attendance-held-\d+"', svg)) == 52
    ticks = re.findall(r'<g id="rmentor-attendance-xtick_\d+"', svg)
    assert 6 <= len(ticks) <= 12


def test_satisfaction_is_normalised_per_kind() -> None:
    chart = satisfaction_chart({"pre": [1, 1, 2, 3, 3], "final": [10, 10, 20, 30, 30]})
    for rating in range(1, 6):
        assert bar_height(chart.svg, f"rmentor-satisfaction-kind0-rating{rating}") == (
            pytest.approx(bar_height(chart.svg, f"rmentor-satisfaction-kind1-rating{rating}"))
        )
    assert bar_height(chart.svg, "rmentor-satisfaction-kind0-rating4") == pytest.approx(
        3 * bar_height(chart.svg, "rmentor-satisfaction-kind0-rating1")
    )
    assert "Pre survey (n=10)" in texts(chart.svg)
    assert "Final survey (n=100)" in texts(chart.svg)


def test_satisfaction_legend_in_given_order(charts: list[Chart]) -> None:
    labels = [t for t in texts(charts[1].svg) if " survey (n=" in t]
    assert labels == ["Pre survey (n=38)", "Midpoint survey (n=35)", "Final survey (n=38)"]


@pytest.mark.parametrize("counts", [[1, 2, 3, 4], [1, 2, 3, 4, 5, 6], [1, -1, 1, 1, 1]])
def test_satisfaction_rejects_bad_counts(counts: list[int]) -> None:
    with pytest.raises(ValueError, match="five non-negative counts"):
        satisfaction_chart({"pre": counts})


def test_skills_labels(charts: list[Chart]) -> None:
    labels = texts(charts[2].svg)
    cut = [t for t in labels if t.endswith("…")]
    assert cut == ["Generative AI tools: prompts, l…"]
    assert len(cut[0]) <= 32
    assert "n/a" in labels  # no "after" answers for one topic
    assert {"2.1", "3.9"} <= set(labels)
    assert len(re.findall(r'<g id="rmentor-skills-(?:before|after)-\d+"', charts[2].svg)) == 8


def test_skills_chart_grows_with_topics() -> None:
    def height(n: int) -> float:
        root = ET.fromstring(skills_chart([(f"Topic {i}", 2.0, 3.0) for i in range(n)]).svg)
        return float(root.get("height", "0pt")[:-2])

    assert height(20) > height(10) > height(3)


def test_goal_colours_follow_the_target(charts: list[Chart]) -> None:
    svg = charts[3].svg

    def fill(i: int) -> str:
        path = group(svg, f"rmentor-goals-goal-{i}").find(f"{SVG}path")
        assert path is not None
        return path.get("style", "")

    assert f"fill: {AMBER}" in fill(0)
    assert f"fill: {GREEN}" in fill(1)
    assert f"fill: {GREEN}" in fill(2)
    assert f"fill: {AMBER}" in fill(3)
    labels = texts(svg)
    assert {"target", "90%", "108%", ">150%", "0%"} <= set(labels)


@pytest.mark.parametrize(
    ("goal", "want"),
    [
        ((9, 10, False), (90.0, False, "90%")),
        ((12, 10, False), (120.0, True, "120%")),
        ((40, 10, False), (150.0, True, ">150%")),
        ((-5, 20, False), (0.0, False, "0%")),
        ((4, 2, True), (50.0, False, "50%")),
        ((0, 2, True), (150.0, True, ">150%")),
        ((12, 0, False), (100.0, True, "met")),
        ((-3, 0, False), (0.0, False, "not met")),
        ((-30, -10, False), (0.0, False, "not met")),
        ((0, 0, True), (100.0, True, "met")),
        ((math.nan, 5, False), (0.0, False, "not met")),
    ],
)
def test_goal_rule(goal: tuple[float, float, bool], want: tuple[float, bool, str]) -> None:
    progress, met, text = _goal(*goal)
    assert progress == pytest.approx(want[0])
    assert (met, text) == want[1:]
