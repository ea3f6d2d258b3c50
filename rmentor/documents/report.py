"""The evaluation report and the certificates as `Document`s: their context, their charts.

Pure: from a `ReportRun` (the program and its `engines.report.Report`, earlier
cohorts included) to the report's template context, its charts (drawn only here)
and one certificate per person who earned one. `cli.steps` evaluates and writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..engines.evaluation import CUMULATIVE
from ..engines.report import Report
from ..engines.status import program_phase
from ..model.pairings import PairingState
from ..model.program import Program
from ..model.vocabulary import KIND_TITLES, METRIC_ORDER, METRIC_TITLES, NO_DATA, metric_text
from ..text import file_stem
from .packets import person_context, program_context
from .render import Document, Part

REPORT = "report"
CHART_DIR = "report-charts"
CERTIFICATE_DIR = "certificates"
HIDDEN = "hidden"


@dataclass(frozen=True)
class ReportRun:
    """A program and its report as of a day."""

    program: Program
    report: Report


# -- documents -------------------------------------------------------------------------------


BREAKDOWN_COLUMNS = ("people", "attendance_rate", "satisfaction", "skill_delta", "response_rate")


def report_context(run: ReportRun) -> dict[str, Any]:
    """What `report.md.j2` gets: the program context plus the report, formatted."""
    config = run.program.config
    report = run.report
    ev = report.evaluation
    info = config.program
    phase, week, weeks = program_phase(info.start, info.end, report.today)
    goals = {g.id: g for g in config.goals}
    context = program_context(config, run.program.participants, PairingState(), report.today)
    context.pop("counts", None)  # roster composition is in the coordinator's packet
    topics = {t.id: t.title for t in config.topics}
    context.update(
        {
            # before | running | after: the template's wording depends on it
            "phase": {"not started": "before", "ended": "after"}.get(phase, "running"),
            "week": week,
            "weeks": weeks,
            "threshold": report.threshold,
            "summary": {
                "goals": len(ev.goals),
                "met": sum(1 for g in ev.goals if g.status == "met"),
                "on_track": sum(1 for g in ev.goals if g.status == "on track"),
                "at_risk": sum(1 for g in ev.goals if g.status == "at risk"),
                "missed": sum(1 for g in ev.goals if g.status == "missed"),
                "no_data": sum(1 for g in ev.goals if g.status == "no data"),
                "people": report.people,
                "pairs_started": report.pairs_started,
                "pairs_active": report.pairs_active,
                "people_withdrawn": report.people_withdrawn,
                "at_risk_pairs": report.at_risk,
                "at_risk_reasons": [
                    {"reason": k, "pairs": v} for k, v in report.at_risk_reasons.items()
                ],
                "certificates": len(report.certificates),
            },
            "goal_rows": [
                {
                    "id": g.id,
                    "description": goals[g.id].description if g.id in goals else "",
                    "metric": g.metric,
                    "metric_title": METRIC_TITLES.get(g.metric, g.metric),
                    "topic": topics.get(goals[g.id].topic or "", "") if g.id in goals else "",
                    "role": (goals[g.id].role or "") if g.id in goals else "",
                    "value": metric_text(g.metric, g.value),
                    "target": metric_text(g.metric, g.target),
                    "lower_is_better": goals[g.id].lower_is_better if g.id in goals else False,
                    "status": g.status,
                    "projected": (
                        metric_text(g.metric, g.projected)
                        if g.projected is not None
                        and g.status in ("on track", "at risk")
                        and g.metric in CUMULATIVE
                        else ""
                    ),
                }
                for g in ev.goals
            ],
            "metric_rows": [
                {
                    "metric": m,
                    "title": METRIC_TITLES[m],
                    "value": metric_text(m, ev.metrics.get(m)),
                    "hidden": m in ev.hidden_metrics,
                }
                for m in METRIC_ORDER
                if m not in OPTIONAL_METRICS
                or ev.metrics.get(m) is not None
                or m in ev.hidden_metrics
                or any(g.metric == m for g in ev.goals)
            ],
            "surveys": [
                {
                    "kind": kind,
                    "title": KIND_TITLES.get(kind, kind),
                    "responses": ev.responses_by_kind.get(kind, 0),
                    "anonymous": ev.anonymous_by_kind.get(kind, 0),
                    "response_rate": metric_text(
                        "response_rate", ev.response_rate_by_kind.get(kind)
                    ),
                    "satisfaction": metric_text("satisfaction", ev.satisfaction_by_kind.get(kind)),
                    "nps": metric_text("nps", ev.nps_by_kind.get(kind)),
                }
                for kind in sorted(
                    ev.responses_by_kind,
                    key=lambda k: list(KIND_TITLES).index(k) if k in KIND_TITLES else 9,
                )
            ],
            "skills": [
                {
                    "title": s.title,
                    "before": f"{s.before:.1f}",
                    "after": f"{s.after:.1f}",
                    "delta": f"{s.delta:+.2f}",
                    "people": s.people,
                }
                for s in report.skills
            ],
            "skills_hidden": len(ev.hidden_topics),
            "skill_respondents": ev.skill_respondents,
            "skills_after": report.skills_after,
            "breakdowns": [
                {
                    "title": b.title,
                    "dimension": b.dimension,
                    "pooled": b.pooled,
                    "all_hidden": all(
                        getattr(r, c) is None for r in b.rows for c in BREAKDOWN_COLUMNS
                    ),
                    "rows": [
                        {
                            "group": r.group,
                            **{
                                column: HIDDEN
                                if column in r.hidden
                                else metric_text(column, getattr(r, column), unit=False)
                                for column in BREAKDOWN_COLUMNS
                            },
                        }
                        for r in b.rows
                    ],
                }
                for b in report.breakdowns
            ],
            "comments": [
                {
                    "title": KIND_TITLES.get(kind, kind),
                    "texts": [c.text for c in report.comments if c.kind == kind],
                }
                for kind in KIND_TITLES
                if any(c.kind == kind for c in report.comments)
            ],
            "left_out": _left_out(report),
            "changes": [c.text for c in report.changes],
            "changes_hidden": report.changes_hidden,
            "comments_hidden": [
                {"title": KIND_TITLES.get(k, k), "count": v}
                for k, v in report.comments_hidden.items()
            ],
            "recommendations": [
                {"about": r.about, "finding": r.finding, "action": r.action}
                for r in report.recommendations
            ],
            "cohorts": _cohorts(report, info.name),
            "charts": {
                "attendance": bool(report.weeks),
                "satisfaction": bool(report.satisfaction_distribution),
                "skills": bool(report.skills),
                "goals": any(g.value is not None for g in ev.goals),
            },
            "chart_dir": CHART_DIR,
            "notes": [_in_words(note) for note in ev.notes],
        }
    )
    return context


QUESTION_WORDS = {
    "satisfaction": "satisfaction",
    "recommend": "recommending the program",
    "goal_progress": "progress on learning goals",
}


def _left_out(report: Report) -> list[str]:
    """What the survey figures do not count, and why, in sentences."""
    sentences: list[str] = []

    def where(kind: str) -> str:
        return f"the {KIND_TITLES.get(kind, kind).lower()}"

    outside = [e for e in report.left_out if e.question is None]
    if outside:
        counts = ", ".join(f"{e.answers} in {where(e.survey)}" for e in outside)
        sentences.append(
            f"The survey figures count the answers of the {report.people} people who took "
            f"part{' in a pair' if report.pairs_started else ''}. Answers from people "
            f"{outside[0].reason} are left out ({counts}): the breakdowns below cover only "
            "the people who took part, so a total that counted the others would give "
            "their answers away."
        )
    anonymous = [e for e in report.left_out if e.question is not None]
    if anonymous:
        counts = ", ".join(
            f"{e.answers} on {QUESTION_WORDS.get(e.question or '', e.question)} in "
            f"{where(e.survey)}"
            for e in anonymous
        )
        sentences.append(
            f"Anonymous answers to a question are left out where there were fewer than "
            f"{report.threshold} of them ({counts}): the breakdowns cannot count them, so "
            "the total minus the breakdowns would be exactly those answers."
        )
    return sentences


# Shown only when a survey asked for them (or a goal names them).
OPTIONAL_METRICS = frozenset(
    {"mentor_insight_delta", "mentor_voice_delta", "safety", "fit_rate", "practice_change_rate"}
)
_METRIC_IDS = re.compile(r"\b(" + "|".join(sorted(METRIC_TITLES, key=len, reverse=True)) + r")\b")


def _in_words(note: str) -> str:
    """A note for readers: metric ids ("skill_delta") as their titles ("skill gain")."""
    return _METRIC_IDS.sub(lambda m: METRIC_TITLES[m[1]].lower(), note)


def _cohorts(report: Report, name: str) -> dict[str, Any] | None:
    if not report.cohorts:
        return None
    columns = [name, *(c.name for c in report.cohorts)]
    metrics = [report.evaluation.metrics, *(c.metrics for c in report.cohorts)]
    rows = [
        {"title": METRIC_TITLES[m], "cells": [metric_text(m, ms.get(m)) for ms in metrics]}
        for m in METRIC_ORDER
    ]
    goal_ids: list[str] = []
    for goals in [report.evaluation.goals, *(c.goals for c in report.cohorts)]:
        goal_ids += [g.id for g in goals if g.id not in goal_ids]
    goal_rows = []
    for gid in goal_ids:
        cells = []
        for goals in [report.evaluation.goals, *(c.goals for c in report.cohorts)]:
            found = next((g for g in goals if g.id == gid), None)
            cells.append(
                f"{metric_text(found.metric, found.value)} ({found.status})" if found else NO_DATA
            )
        goal_rows.append({"id": gid, "cells": cells})
    periods = [f"{c.start.isoformat()} to {c.end.isoformat()}" for c in report.cohorts]
    return {"columns": columns, "rows": rows, "goals": goal_rows, "periods": periods}


def charts(run: ReportRun) -> dict[str, Any]:
    """The report's charts (name -> `charts.Chart`); matplotlib is imported only here."""
    from . import charts as draw

    config = run.program.config
    report = run.report
    goals = {g.id: g for g in config.goals}
    drawn = []
    if report.weeks:
        drawn.append(draw.attendance_chart(report.weeks))
    if report.satisfaction_distribution:
        drawn.append(draw.satisfaction_chart(report.satisfaction_distribution))
    if report.skills:
        drawn.append(draw.skills_chart([(s.title, s.before, s.after) for s in report.skills]))
    shown_goals = [
        (
            goals[g.id].description or g.id,
            g.value,
            g.target,
            goals[g.id].lower_is_better,
        )
        for g in report.evaluation.goals
        if g.value is not None and g.id in goals
    ]
    if shown_goals:
        drawn.append(draw.goals_chart(shown_goals))
    return {c.name: c for c in drawn}


def report_document(run: ReportRun, figures: dict[str, str]) -> Document:
    """out/report: the evaluation report (figures: chart file -> SVG markup)."""
    config = run.program.config
    return Document(
        REPORT,
        f"Evaluation report: {config.program.name}",
        (Part("report.md.j2", report_context(run)),),
        "report",
        figures=figures,
    )


def certificate_documents(run: ReportRun) -> list[Document]:
    """One certificate of completion per participant who earned one."""
    config = run.program.config
    titles = {t.id: t.title for t in config.topics}
    people = {p.id: p for p in run.program.participants}
    base = program_context(config, run.program.participants, PairingState(), run.report.today)
    docs = []
    for pid, held in sorted(run.report.certificates):
        person = people[pid]
        context = {**base, "person": person_context(person, titles), "sessions_held": held}
        docs.append(
            Document(
                f"{CERTIFICATE_DIR}/{file_stem(pid)}",
                f"Certificate of completion: {person.name}",
                (Part("certificate.md.j2", context),),
                "certificate",
            )
        )
    return docs
