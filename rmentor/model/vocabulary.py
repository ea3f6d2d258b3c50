"""Every id the program speaks of (roles, metrics, survey and milestone kinds) and its words.

One place for the vocabulary that program.yaml, the engines, the documents and the
report share, so that a new metric or kind is added once: its id, its title, its
words for a reader. Each list below is in the order readers see it.
"""

from __future__ import annotations

from typing import Literal, get_args

# -- roles ----------------------------------------------------------------------------------

Role = Literal["mentor", "mentee"]
ROLES: tuple[str, ...] = get_args(Role)
ROLE_WORDS = {
    "mentor": "mentor (the colleague who teaches)",
    "mentee": "mentee (the colleague who learns)",
}

# -- metrics (goals name them; the report shows them in this order) -------------------------

METRIC_TITLES = {
    "attendance_rate": "Attendance",
    "meetings_held": "Sessions held",
    "average_minutes": "Average session length",
    "completion_rate": "Pairs completed",
    "dropout_rate": "Dropout",
    "response_rate": "Survey response rate",
    "satisfaction": "Satisfaction",
    "nps": "Net promoter score",
    "goal_progress": "Progress on learning goals",
    "skill_delta": "Skill gain",
    "mentor_insight_delta": "Mentors' insight into the business",
    "mentor_voice_delta": "Mentors' confidence giving feedback upward",
    "safety": "Psychological safety",
    "fit_rate": "Pairs that fit",
    "practice_change_rate": "Mentees who changed their practice",
}
METRIC_ORDER: tuple[str, ...] = tuple(METRIC_TITLES)
METRICS: tuple[str, ...] = tuple(sorted(METRIC_TITLES))  # as error hints list them
# Metrics where a lower value is better; a goal on them is met at or below target.
LOWER_IS_BETTER = frozenset({"dropout_rate"})
# Metrics computed from survey answers: the ones a goal can limit to one role.
SURVEY_METRICS = frozenset(
    {
        "satisfaction",
        "nps",
        "goal_progress",
        "skill_delta",
        "response_rate",
        "mentor_insight_delta",
        "mentor_voice_delta",
        "safety",
        "fit_rate",
        "practice_change_rate",
    }
)
# Metrics about the mentors' own growth: a difference of two 1-5 ratings, as skill_delta.
DELTA_METRICS = frozenset({"skill_delta", "mentor_insight_delta", "mentor_voice_delta"})
# What each metric measures, in the words of the participants' documents.
METRIC_WORDS = {
    "attendance_rate": "share of planned sessions that were held",
    "average_minutes": "average length of a held session, in minutes",
    "completion_rate": "share of pairs that held at least the minimum number of sessions",
    "dropout_rate": "share of participants who left the program",
    "goal_progress": "progress on the pair's learning goals (survey, 1-5)",
    "meetings_held": "number of sessions held",
    "nps": "net promoter score (-100 to 100)",
    "response_rate": "share of participants who answered the survey",
    "satisfaction": "average satisfaction (survey, 1-5)",
    "skill_delta": "gain in self-rated skill from the first to the final survey (points on 1-5)",
    "mentor_insight_delta": "mentors' gain in understanding how the business decides "
    "(final minus pre survey, points on 1-5)",
    "mentor_voice_delta": "mentors' gain in confidence giving feedback to senior colleagues "
    "(final minus pre survey, points on 1-5)",
    "safety": "how openly people can speak with their partner (survey, 1-5)",
    "fit_rate": "share of pairs where no one answered `poor` in the first-session fit check",
    "practice_change_rate": "share of mentees' follow-up answers that name something they "
    "now do differently",
}
NO_DATA = "—"


def metric_text(metric: str, value: float | None, *, unit: bool = True) -> str:
    """A metric's value as a reader expects it: 81 %, 4.2 / 5, +35, +0.90 points, 52 min
    (`unit=False` for table cells under a titled column: 4.2, +0.90); "—" for none."""
    if value is None:
        return NO_DATA
    if metric.endswith("_rate"):
        return f"{value * 100:.0f} %"
    if metric in ("satisfaction", "goal_progress", "safety"):
        return f"{value:.1f} / 5" if unit else f"{value:.1f}"
    if metric == "nps":
        return f"{value:+.0f}"
    if metric in DELTA_METRICS:
        return f"{value:+.2f} points" if unit else f"{value:+.2f}"
    if metric == "average_minutes":
        return f"{value:.0f} min" if unit else f"{value:.0f}"
    return f"{value:,.0f}"


# -- surveys --------------------------------------------------------------------------------

# In the order they are asked: fit_check after the first session, follow_up months after
# the end.
SurveyKind = Literal["pre", "fit_check", "midpoint", "final", "follow_up"]
KIND_ORDER: tuple[str, ...] = get_args(SurveyKind)
KIND_TITLES = {
    "pre": "Pre-program survey",
    "fit_check": "First-session fit check",
    "midpoint": "Midpoint survey",
    "final": "Final survey",
    "follow_up": "Follow-up survey",
}
# A survey's answers count from its milestone on (the pre survey's from the start).
SURVEY_MILESTONES = {"midpoint": "midpoint_survey", "final": "final_survey"}
SURVEY_FIELDS: tuple[str, ...] = (
    "respondent",
    "satisfaction",
    "recommend",
    "goal_progress",
    "comments",
    "insight",
    "voice",
    "safety",
    "fit",
    "changes",
)  # plus one `skill:<topic id>` column per topic
FIT_ANSWERS: tuple[str, ...] = ("good", "unsure", "poor")
SKILL_PREFIX = "skill:"

# -- milestones and meetings ----------------------------------------------------------------

MilestoneKind = Literal[
    "kickoff",
    "mentor_training",
    "mentee_training",
    "midpoint_survey",
    "final_survey",
    "celebration",
    "other",
]
MILESTONE_KINDS: tuple[str, ...] = get_args(MilestoneKind)
# A milestone's title in the documents ("Kickoff: Wednesday 13 January").
KIND_WORDS = {
    "kickoff": "Kickoff",
    "mentor_training": "Training for mentors",
    "mentee_training": "Training for mentees",
    "midpoint_survey": "Midpoint survey",
    "final_survey": "Final survey",
    "celebration": "Closing celebration",
    "other": "Event",
}
# How a calendar event describes a milestone and its audience ("…: kick-off, for the mentors.").
MILESTONE_PHRASES = {
    "kickoff": "kick-off",
    "mentor_training": "training for mentors",
    "mentee_training": "training for mentees",
    "midpoint_survey": "midpoint survey",
    "final_survey": "final survey",
    "celebration": "closing celebration",
    "other": "program event",
}
AUDIENCE_PHRASES = {
    "everyone": "everyone",
    "mentors": "the mentors",
    "mentees": "the mentees",
    "coordinator": "the coordinator",
}
# What a session is for. A curriculum item may say it (`kind:`); else it follows from
# where the item is anchored (`at: first` → intro, `midpoint` → review, `last` → closing).
SessionKind = Literal["intro", "teaching", "reverse", "review", "closing"]
SESSION_KINDS: tuple[str, ...] = get_args(SessionKind)
ANCHOR_KINDS: dict[str, SessionKind] = {"first": "intro", "midpoint": "review", "last": "closing"}
OPEN_SESSION = "Open session: continue with your own topics"
CADENCE_WORDS = {"weekly": "every week", "biweekly": "every other week", "monthly": "once a month"}
