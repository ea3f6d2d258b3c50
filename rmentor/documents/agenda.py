"""What happens in a session, by kind: one structure each, defined once.

The agenda sheets, the pair's schedule and the mentor guide all quote these, scaled to
the program's session length so that the minutes add up to it exactly. `{mentor}`,
`{mentee}` and `{topic}` are filled in for the reader (first names, the session's
topic); the guide fills them with "the mentor", "your mentee" and "the theme".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model.vocabulary import SessionKind

# (minutes in a 60-minute session, part, what happens)
SESSION_PLANS: Mapping[SessionKind, tuple[tuple[int, str, str], ...]] = {
    "intro": (
        (
            10,
            "Introductions",
            "Who you are, how you came to your role, what a normal week "
            "looks like for each of you.",
        ),
        (
            25,
            "Learning goals",
            "Fill in the goals table of your pair agreement: three goals for "
            "{mentee}, two for {mentor}.",
        ),
        (
            15,
            "A first try",
            "{mentor} shows one small thing {mentee} can use tomorrow "
            "({topic}); {mentee} does it once.",
        ),
        (
            5,
            "How we work",
            "Channel, regular slot, what to do when a session has to move; write it into your "
            "agreement.",
        ),
        (5, "Next steps", "One thing to practise, and one question to bring next time."),
    ),
    "teaching": (
        (
            5,
            "Check-in",
            "How the week went; what {mentee} tried since last time and where it got stuck.",
        ),
        (
            30,
            "Teaching",
            "{mentor} shows {topic} on {mentee}'s own work; {mentee} keeps the keyboard.",
        ),
        (15, "Practice", "{mentee} does one real task alone; {mentor} only helps when asked."),
        (
            5,
            "Business context",
            "{mentee} shares something from the senior side: a decision, "
            "a number that matters, a lesson learnt.",
        ),
        (5, "Next steps", "One thing to practise, and one question to bring next time."),
    ),
    "reverse": (
        (5, "Check-in", "How the week went; how the practice went."),
        (
            30,
            "Business context",
            "{mentee} leads: the theme above, with real examples. {mentor} asks the questions.",
        ),
        (
            15,
            "Questions",
            "{mentor}'s questions about the business, decisions and careers; "
            "what surprised you both.",
        ),
        (5, "Digital tip", "A quick follow-up on {topic}: one shortcut or check."),
        (5, "Next steps", "One thing to practise, and one question to bring next time."),
    ),
    "review": (
        (5, "Check-in", "How the week went; how the practice went."),
        (
            20,
            "Goals so far",
            "Read the goals table of your agreement together: what is done, "
            "what is half-way, what no longer fits.",
        ),
        (
            15,
            "What works",
            "What helps {mentee} learn, what helps {mentor} understand the "
            "business; what to change in how you meet.",
        ),
        (
            15,
            "The second half",
            "Goals for the second half: update the agreement's table and "
            "the topics still to cover.",
        ),
        (5, "Next steps", "One thing to practise, and one question to bring next time."),
    ),
    "closing": (
        (5, "Check-in", "How the last practice went."),
        (
            20,
            "Looking back",
            "The goals of your agreement, one by one: what each of you learnt, with an example.",
        ),
        (
            15,
            "What we keep",
            "What {mentee} keeps doing after the program, and what {mentor} "
            "takes from the business side.",
        ),
        (
            10,
            "Staying in touch",
            "How you stay in touch, and who else each of you could learn from next.",
        ),
        (10, "Thank you", "What each of you would tell the next pair; the final survey."),
    ),
}


def scaled(minutes: Sequence[int], total: int) -> list[int]:
    """Minutes for a 60-minute plan scaled to `total`, rounded to whole minutes so that
    they add up to `total` exactly (largest remainders get the spare minutes)."""
    exact = [m * total / 60 for m in minutes]
    whole = [int(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (whole[i] - exact[i], i))
    for i in order[: total - sum(whole)]:
        whole[i] += 1
    return whole


def session_plan(
    kind: SessionKind, total: int, *, mentor: str, mentee: str, topic: str
) -> list[dict[str, Any]]:
    """A session's structure for the reader: minutes (adding up to `total`), part, what."""
    parts = SESSION_PLANS[kind]
    minutes = scaled([m for m, _, _ in parts], total)
    names = {"mentor": mentor, "mentee": mentee, "topic": topic}
    steps = []
    for m, (_, part, what) in zip(minutes, parts, strict=True):
        text = what.format(**names)
        steps.append({"minutes": m, "part": part, "what": text[:1].upper() + text[1:]})
    return steps
