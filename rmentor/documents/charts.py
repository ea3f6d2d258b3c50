"""The evaluation report's charts, as deterministic, self-contained SVG markup.

Four charts (attendance, satisfaction, skills, goals) are drawn with matplotlib's SVG
backend and returned as `Chart` values: a file stem, a short human title and the
`<svg>…</svg>` markup, ready to be inlined into HTML (and printed to PDF by
WeasyPrint) or written to a `.svg` file next to the Markdown report.

Why the settings below:

* Deterministic bytes. The report is a plain file that people diff and commit, so the
  same input must give the same SVG in every process. Figures are built with
  `matplotlib.figure.Figure` and `FigureCanvasSVG` (no pyplot, no global figure
  manager), every rcParam is set only inside `matplotlib.rc_context`, the SVG's
  random ids are seeded by `svg.hashsalt`, and the date and "Creator: Matplotlib vX"
  metadata are left out. The XML declaration, DOCTYPE, comments and `<metadata>` are
  stripped.
* Several charts on one HTML page. Inline SVGs share the page's id namespace, so each
  chart has its own salt and every `id` (and every `#ref` to it) is prefixed with
  `rmentor-<name>-`; the backend's `*{…}` stroke style is scoped to the chart's root.
* Text stays text (`svg.fonttype: none`): small files, selectable and searchable in
  the PDF. Layout is measured with DejaVu Sans (bundled with matplotlib), and the SVG
  names `'DejaVu Sans', sans-serif` so a viewer without DejaVu still uses a sans font.
* Labels are user data from program.yaml. matplotlib escapes XML text, and
  `text.parse_math: False` keeps a `$` in a topic title from being read as mathtext.
* matplotlib is imported lazily, inside the functions, so the rest of rmentor does not
  pay for it. matplotlib's rcParams are process-wide: do not draw charts from several
  threads at once.

The root `<svg>` keeps its size in points (6.3 in wide: the text width of an A4 or
Letter page, and the natural size of a standalone `.svg` file) and a `viewBox`, with
`style="max-width:100%"` so it shrinks to fit a narrower HTML column. Its height
follows the width (`height: auto`) only under `@media screen`, in the chart's own
`<style>`: WeasyPrint (print media) gives an inline SVG with `height: auto` a page-tall
box, so in the PDF the chart keeps its fixed size.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Chart", "attendance_chart", "goals_chart", "satisfaction_chart", "skills_chart"]

ACCENT = "#1f6f8b"
LIGHT = "#9cc7d6"
MID = "#5b9db5"
AMBER = "#d08c2b"
GREEN = "#3a8d5c"
GREY = "#5b6478"
AXIS = "#aab2c0"
GRID = "#e3e7ee"

WIDTH_IN = 6.3
HEIGHT_IN = 2.9
MAX_WEEK_LABELS = 12
LABEL_CHARS = 32
GOAL_CAP = 150.0
NO_DATA = "No data yet"

_TEXT_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 0.8}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_KIND_COLOURS = {1: (ACCENT,), 2: (LIGHT, ACCENT), 3: (LIGHT, MID, ACCENT)}
_MORE_COLOURS = (LIGHT, MID, ACCENT, AMBER, GREEN, GREY)


@dataclass(frozen=True)
class Chart:
    """One chart of the evaluation report.

    `name` is the file stem (`attendance.svg`), `title` a short human title for a
    caption or heading, and `svg` the `<svg>…</svg>` markup only: no XML declaration,
    DOCTYPE or comments; it ends with a newline.
    """

    name: str
    title: str
    svg: str


# --------------------------------------------------------------------------- charts


def attendance_chart(weeks: Sequence[tuple[dt.date, int, int]]) -> Chart:
    """Sessions held (solid bars) and planned (light bars behind) per week.

    One tuple per week, in the order given: (Monday of the week, sessions held,
    sessions planned). The x axis is labelled like "11 Jan", at most
    `MAX_WEEK_LABELS` labels. Each held bar has the group id
    `rmentor-attendance-held-<i>` and each planned bar `rmentor-attendance-planned-<i>`.
    """
    name, title = "attendance", "Sessions held and planned per week"
    rows = list(weeks)
    if not rows:
        return _no_data(name, title)

    def draw(ax: Axes) -> None:
        from matplotlib.ticker import MaxNLocator

        xs = range(len(rows))
        planned = ax.bar(xs, [r[2] for r in rows], width=0.72, color=LIGHT, label="Planned")
        held = ax.bar(xs, [r[1] for r in rows], width=0.72, color=ACCENT, label="Held")
        for i, patch in enumerate(planned.patches):
            patch.set_gid(f"planned-{i}")
        for i, patch in enumerate(held.patches):
            patch.set_gid(f"held-{i}")
        step = math.ceil(len(rows) / MAX_WEEK_LABELS)
        ticks = list(range(0, len(rows), step))
        ax.set_xticks(ticks, [_week_label(rows[i][0]) for i in ticks])
        ax.set_xlim(-0.6, len(rows) - 0.4)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        top = max(max(r[1], r[2]) for r in rows)
        ax.set_ylim(0, max(1, top) * 1.08)
        ax.set_xlabel("Week starting")
        ax.set_ylabel("Sessions")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, borderaxespad=0.2)

    return _render(name, title, (WIDTH_IN, HEIGHT_IN), draw)


def satisfaction_chart(distribution: Mapping[str, Sequence[int]]) -> Chart:
    """Share of answers per rating 1..5, one group of bars per rating, one colour per kind.

    `distribution` maps a survey kind ("pre", "midpoint", "final"; drawn in the order
    given) to five counts: answers rated 1, 2, 3, 4 and 5. Each kind is normalised to
    100 % so surveys of different sizes compare; the legend gives each kind's number
    of answers. A kind with no answers draws empty bars; if no kind has any answers
    the chart says "No data yet". Raises `ValueError` when a kind does not have
    exactly five non-negative counts.
    """
    name, title = "satisfaction", "Satisfaction ratings by survey"
    kinds: list[tuple[str, list[int]]] = []
    for kind, counts in distribution.items():
        values = [int(c) for c in counts]
        if len(values) != 5 or any(c < 0 for c in values):
            raise ValueError(
                f"survey kind {kind!r}: expected five non-negative counts, got {values}"
            )
        kinds.append((kind, values))
    if not any(sum(values) for _, values in kinds):
        return _no_data(name, title)

    def draw(ax: Axes) -> None:
        from matplotlib.ticker import PercentFormatter

        colours = _KIND_COLOURS.get(len(kinds)) or tuple(
            _MORE_COLOURS[j % len(_MORE_COLOURS)] for j in range(len(kinds))
        )
        width = 0.8 / len(kinds)
        top = 0.0
        for j, (kind, values) in enumerate(kinds):
            total = sum(values)
            shares = [100.0 * c / total if total else 0.0 for c in values]
            top = max(top, *shares)
            offset = (j - (len(kinds) - 1) / 2) * width
            label = _label(f"{kind.capitalize()} survey (n={total})", LABEL_CHARS + 8)
            bars = ax.bar(
                [r + offset for r in range(1, 6)],
                shares,
                width=width * 0.92,
                color=colours[j],
                label=label,
            )
            for r, patch in enumerate(bars.patches, start=1):
                patch.set_gid(f"kind{j}-rating{r}")
        ax.set_xticks(range(1, 6), [str(r) for r in range(1, 6)])
        ax.set_xlim(0.5, 5.5)
        ax.set_ylim(0, min(100.0, math.ceil(top / 10) * 10 + 5))
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.set_xlabel("Rating (1 = lowest, 5 = highest)")
        ax.set_ylabel("Share of answers")
        ax.legend(
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncols=len(kinds) if len(kinds) <= 3 else math.ceil(len(kinds) / 2),
            borderaxespad=0.2,
        )

    return _render(name, title, (WIDTH_IN, HEIGHT_IN), draw)


def skills_chart(topics: Sequence[tuple[str, float, float]]) -> Chart:
    """Mean self-rating per topic before (light) and after (dark) the program.

    One tuple per topic, drawn top to bottom in the order given: (topic title, mean
    rating before, mean rating after) on the 1-5 scale. Bars start at 1, the bottom of
    the scale; a NaN mean (nobody answered) draws no bar. Titles longer than 32
    characters are cut with "…". The chart is about 0.3 in taller per topic.
    """
    name, title = "skills", "Skills before and after, by topic"
    rows = list(topics)
    if not rows:
        return _no_data(name, title)
    height = _rows_height(len(rows))

    def draw(ax: Axes) -> None:
        bar = 0.38
        before = [_rating(row[1]) for row in rows]
        after = [_rating(row[2]) for row in rows]
        for which, colour, shift, means in (
            ("Before", LIGHT, -bar / 2, before),
            ("After", ACCENT, bar / 2, after),
        ):
            bars = ax.barh(
                [i + shift for i in range(len(rows))],
                [m - 1.0 if m is not None else 0.0 for m in means],
                left=1.0,
                height=bar,
                color=colour,
                label=which,
            )
            for i, (patch, mean) in enumerate(zip(bars.patches, means, strict=True)):
                patch.set_gid(f"{which.lower()}-{i}")
                ax.text(
                    1.04 if mean is None else mean + 0.04,
                    i + shift,
                    "n/a" if mean is None else f"{mean:.1f}",
                    va="center",
                    fontsize=7.5,
                )
        ax.set_yticks(range(len(rows)), [_label(row[0]) for row in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(1, 5.3)
        ax.set_xticks([1, 2, 3, 4, 5])
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("Mean self-rating (1\N{EN DASH}5)")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, borderaxespad=0.2)

    return _render(name, title, (WIDTH_IN, height), draw)


def goals_chart(goals: Sequence[tuple[str, float, float, bool]]) -> Chart:
    """Progress toward each goal's target, in %, with a line at 100 % ("target").

    One tuple per goal, top to bottom: (label, value, target, lower_is_better). The
    rule: with a positive target, progress is value/target
    (target/value when lower is better, a value of 0 or less then counting as the
    cap); with a target of 0 or less a ratio means nothing, so the bar is full (100 %)
    when the goal is met and empty otherwise. Bars are clamped to 0-150 % and are green
    when the goal is met, amber otherwise; the % (or met / not met) is printed at the
    bar's end. Each bar has the group id `rmentor-goals-goal-<i>`.
    """
    name, title = "goals", "Progress toward goal targets"
    rows = list(goals)
    if not rows:
        return _no_data(name, title)
    height = _rows_height(len(rows))

    def draw(ax: Axes) -> None:
        from matplotlib.ticker import PercentFormatter

        for i, (_, value, target, lower) in enumerate(rows):
            progress, met, text = _goal(value, target, lower)
            (patch,) = ax.barh([i], [progress], height=0.6, color=GREEN if met else AMBER)
            patch.set_gid(f"goal-{i}")
            ax.text(progress + 2, i, text, va="center", fontsize=7.5, bbox=_TEXT_BOX, zorder=3)
        ax.axvline(100, color=GREY, linewidth=0.9, linestyle=(0, (3, 2)), zorder=2)
        ax.text(100, 1.0, "target", transform=ax.get_xaxis_transform(), ha="center", va="bottom")
        ax.set_yticks(range(len(rows)), [_label(row[0]) for row in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(0, GOAL_CAP + 22)
        ax.set_xticks([0, 25, 50, 75, 100, 125, 150])
        ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("Progress toward target")

    return _render(name, title, (WIDTH_IN, height), draw)


# --------------------------------------------------------------------------- helpers


def _goal(value: float, target: float, lower_is_better: bool) -> tuple[float, bool, str]:
    """The goals chart's rule: (bar length in %, whether the goal is met, text at the bar).

    Met means value >= target (value <= target when lower is better). With a positive
    target, progress is value/target*100, or target/value*100 when lower is better (a
    value of 0 or less is then as good as it gets); the bar is clamped to 0-150 and the
    text says e.g. "90%" or ">150%". With a target of 0 or less (an NPS target can be 0
    or negative) a ratio means nothing: the bar is 100 when met, else 0, and the text
    says "met" or "not met". A NaN value or target is "not met" with an empty bar.
    """
    if math.isnan(value) or math.isnan(target):
        return 0.0, False, "not met"
    met = value <= target if lower_is_better else value >= target
    if target <= 0:
        return (100.0 if met else 0.0), met, "met" if met else "not met"
    if lower_is_better:
        raw = math.inf if value <= 0 else 100.0 * target / value
    else:
        raw = 100.0 * value / target
    progress = min(GOAL_CAP, max(0.0, raw))
    return progress, met, f">{GOAL_CAP:.0f}%" if raw > GOAL_CAP else f"{progress:.0f}%"


def _rows_height(rows: int) -> float:
    """Height in inches of a horizontal-bar chart: about 0.3 in per row, at least 1.5 in."""
    return max(1.5, 0.95 + 0.3 * rows)


def _rating(mean: float) -> float | None:
    value = float(mean)
    return None if math.isnan(value) else min(5.0, max(1.0, value))


def _week_label(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"


def _label(text: str, limit: int = LABEL_CHARS) -> str:
    """One line of at most `limit` characters; control characters become spaces."""
    flat = " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@contextmanager
def _figure(name: str, size: tuple[float, float]) -> Iterator[Figure]:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(
        {
            # Determinism and page safety: see the module docstring.
            "svg.hashsalt": f"rmentor-{name}",
            "svg.fonttype": "none",
            "svg.id": f"rmentor-{name}",
            "font.family": ["sans-serif"],
            "font.sans-serif": ["DejaVu Sans"],
            "text.parse_math": False,
            "axes.unicode_minus": True,
            # Look: a plain, printable chart with 8-9 pt text.
            "font.size": 8.5,
            "axes.labelsize": 8.5,
            "xtick.labelsize": 8,
            "ytick.labelsize": 8,
            "legend.fontsize": 8,
            "text.color": GREY,
            "axes.labelcolor": GREY,
            "xtick.color": GREY,
            "ytick.color": GREY,
            "axes.edgecolor": AXIS,
            "axes.linewidth": 0.8,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "axes.axisbelow": True,
            "grid.color": GRID,
            "grid.linewidth": 0.6,
            "legend.frameon": False,
            "legend.handlelength": 1.2,
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
        }
    ):
        fig = Figure(figsize=size, layout="constrained")
        FigureCanvasSVG(fig)
        yield fig


def _render(
    name: str, title: str, size: tuple[float, float], draw: Callable[[Axes], None]
) -> Chart:
    with _figure(name, size) as fig:
        draw(fig.add_subplot())
        return Chart(name, title, _save(fig, name, title))


def _no_data(name: str, title: str) -> Chart:
    with _figure(name, (WIDTH_IN, 0.8)) as fig:
        fig.set_layout_engine(None)
        fig.text(0.5, 0.5, NO_DATA, ha="center", va="center", fontsize=9, color=GREY)
        return Chart(name, title, _save(fig, name, title))


_TAG = re.compile(r"<[^<>]*>")
_ID = re.compile(r'\bid="([^"]*)"')
_REF = re.compile(r'(url\(#|href="#)([^")]*)')
_ROOT = re.compile(r"<svg\b[^>]*>")


def _save(fig: Figure, name: str, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(
        buffer,
        format="svg",
        metadata={"Title": title, "Date": None, "Creator": None, "Format": None, "Type": None},
    )
    return _clean(buffer.getvalue(), name)


def _clean(svg: str, name: str) -> str:
    """Markup only, page-safe ids, a scalable root; see the module docstring."""
    prefix = f"rmentor-{name}"
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)

    def own(ident: str) -> str:
        return ident if ident == prefix or ident.startswith(prefix + "-") else f"{prefix}-{ident}"

    def tag(match: re.Match[str]) -> str:
        text = _ID.sub(lambda m: f'id="{own(m.group(1))}"', match.group(0))
        return _REF.sub(lambda m: m.group(1) + own(m.group(2)), text)

    svg = _TAG.sub(tag, svg)
    root = _ROOT.search(svg)
    style = '<style type="text/css">*{'
    if root is None or style not in svg:
        raise RuntimeError("unexpected SVG from matplotlib: no root or default style")
    attrs = dict(re.findall(r'([\w:]+)="([^"]*)"', root.group(0)))
    new_root = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        f' version="1.1" id="{prefix}" width="{attrs["width"]}" height="{attrs["height"]}"'
        f' viewBox="{attrs["viewBox"]}" role="img" style="max-width:100%">'
    )
    svg = svg[: root.start()] + new_root + svg[root.end() :]
    screen = f"@media screen {{#{prefix} {{height: auto}}}}\n"
    svg = svg.replace(style, f'<style type="text/css">{screen}#{prefix} *{{', 1)
    return svg.rstrip() + "\n"
