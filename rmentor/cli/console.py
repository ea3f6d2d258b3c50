"""All terminal output. The only module that imports Rich.

Messages built from the user's files are printed as `Text`, never parsed as Rich
markup, so a roster value like `[bold]` or `[/]` is shown as written. Rich drops
colour by itself when NO_COLOR is set or the output is not a terminal.

Rich is imported on first output, not with the CLI: `rmentor --version` and a
command that prints nothing never load it (tests/cli/test_startup.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

from ..errors import Problem, Severity

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


def _text(*args: object, **kwargs: object) -> Text:
    """rich.text.Text, imported when first needed."""
    from rich.text import Text as RichText

    return RichText(*args, **kwargs)  # type: ignore[arg-type]


def _table(*args: object, **kwargs: object) -> Any:
    """rich.table.Table, imported when first needed."""
    from rich.table import Table as RichTable

    return RichTable(*args, **kwargs)  # type: ignore[arg-type]


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow"}


def _console(stderr: bool = False) -> Console:
    # Built per call: tests swap sys.stdout/sys.stderr, and soft wrapping keeps
    # one problem on one line whatever the terminal width.
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True, highlight=False, emoji=False)


def problem_text(problem: Problem) -> Text:
    """One problem as coloured text: `file:line:col: severity: message (hint)`."""
    text = _text(f"{problem.location}: ")
    text.append(problem.severity.value, style=_STYLE[problem.severity])
    text.append(f": {problem.message}")
    if problem.hint:
        text.append(f" ({problem.hint})", style="dim")
    return text


def print_problems(problems: Iterable[Problem], *, stderr: bool = False) -> None:
    """Print problems, one per line, in the order given."""
    console = _console(stderr)
    for problem in problems:
        console.print(problem_text(problem))


def print_json(data: object) -> None:
    """Machine-readable output on stdout: stable key order, UTF-8, no colour."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def say(message: str, *, style: str | None = None) -> None:
    """A line for the user on stdout (never parsed as markup)."""
    _console().print(_text(message, style=style or ""))


def success(message: str) -> None:
    """A green line on stdout."""
    say(message, style="green")


def fail(message: str) -> None:
    """A red error line on stderr."""
    # As in every Problem: invisible characters quoted from a file are shown as <U+…>.
    from ..text import show_invisible

    _console(stderr=True).print(_text(f"error: {show_invisible(message)}", style="bold red"))


def bug(exc: BaseException, *, debug: bool) -> None:
    """An unexpected exception: say it is a bug; the traceback only with --debug."""
    console = _console(stderr=True)
    console.print(_text(f"rmentor hit a bug: {type(exc).__name__}: {exc}", style="bold red"))
    if debug:
        import traceback

        console.print(_text("".join(traceback.format_exception(exc))))
    else:
        console.print(_text("Run again with --debug to see the traceback, and please report it."))


def print_table(title: str, columns: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    """A simple table on stdout; cells are shown as plain text."""
    table = _table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_text(str(cell)) for cell in row))
    _console().print(table)


def warn(message: str) -> None:
    """A yellow warning line on stderr."""
    _console(stderr=True).print(_text(f"warning: {message}", style="yellow"))


class Progress:
    """A progress bar on stderr, shown only once a step takes longer than a second, and
    only on a terminal (off with --quiet, --json, or output to a file or a pipe).

    Called as `progress(step, done, total)` for steps that count; `working(step)` is
    for a step that cannot count (reading the program): a transient pulsing bar that
    appears once the command has run for a second, even if the step says nothing more.
    """

    DELAY = 1.0  # seconds before anything is drawn: a quick command draws nothing

    def __init__(self, enabled: bool = True) -> None:
        import threading
        import time

        from rich.progress import Progress as RichProgress

        self._clock = time.monotonic
        self._started = self._clock()
        self._enabled = enabled and sys.stderr.isatty()  # never in a log or a pipe
        self._bar: RichProgress | None = None
        self._tasks: dict[str, object] = {}
        self._factory = RichProgress
        self._lock = threading.Lock()  # `working`'s timer draws from another thread

    def _shown(self) -> Any:
        if self._bar is None:
            self._bar = self._factory(console=_console(stderr=True), transient=True)
            self._bar.start()
        return self._bar

    def __call__(self, step: str, done: int, total: int) -> None:
        if not self._enabled or self._clock() - self._started < self.DELAY:
            return
        with self._lock:
            bar = self._shown()
            if step not in self._tasks:
                self._tasks[step] = bar.add_task(step, total=total)
            bar.update(self._tasks[step], completed=done, total=total)

    @contextmanager
    def working(self, step: str) -> Iterator[None]:
        """An indeterminate step ("reading the program"), drawn while it runs and then
        removed; nothing at all when it ends within the first second."""
        if not self._enabled:
            yield
            return
        import threading

        task: list[Any] = []
        finished = [False]

        def show() -> None:
            with self._lock:
                if not finished[0]:
                    task.append(self._shown().add_task(step, total=None))

        delay = max(0.0, self.DELAY - (self._clock() - self._started))
        timer = threading.Timer(delay, show)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
            with self._lock:
                finished[0] = True
                if task and self._bar is not None:
                    self._bar.remove_task(task[0])

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the bar."""
        with self._lock:
            if self._bar is not None:
                self._bar.stop()


def working(progress: object, step: str) -> AbstractContextManager[None]:
    """`progress.working(step)` when `progress` is a `Progress`, else nothing drawn."""
    if isinstance(progress, Progress):
        return progress.working(step)
    return nullcontext()


READING = "reading the program"


def print_heading(title: str, highlight: str, detail: str = "") -> None:
    """A bold heading line: `title: highlight (detail)`, never parsed as markup."""
    text = _text(f"{title}: ", style="bold")
    text.append(highlight, style="bold cyan")
    if detail:
        text.append(f" ({detail})", style="dim")
    _console().print(text)


def print_key_values(title: str, rows: Iterable[tuple[str, object]]) -> None:
    """A two-column table without a header: a label and its value, right-aligned."""
    table = _table(title=title, title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    for label, value in rows:
        table.add_row(_text(label), _text(str(value)))
    _console().print(table)
