"""The class report: what an instructor looks at first after ``dcai grade`` (``dcai report OUT``).

Read from a graded folder only (``grades.csv`` and the graded notebooks' verdicts, which the grader wrote):
the score histogram and statuses, each test cell's pass rate with its public and hidden parts apart, the most
common failure messages per exercise with how many students hit each, run time per submission, and the late
and resubmitted counts. :func:`class_report` gathers the numbers; :func:`write_html` draws them as one HTML page
with inline SVG plots (no script, no network), ``report.html`` in the folder; :meth:`ClassReport.render` is the
same as text for the terminal.
"""

from __future__ import annotations

import html
import io
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import nbformat

from dcai_helpers.course.config import CourseFolder
from dcai_helpers.course.notebooks import is_test_cell, nbgrader_meta
from dcai_helpers.grading.records import GradeRow, read_rows
from dcai_helpers.grading.status import Status
from dcai_helpers.grading.submissions import LATE_NOTE, RESUBMISSION_NOTE, nbgrader_id_for
from dcai_helpers.verdicts.trusted import VERDICT_MIME, Outcome

#: Failure messages shown per test cell.
TOP_MESSAGES = 5
#: Where ``dcai report`` writes its page, in the graded folder.
REPORT_NAME = "report.html"
#: The outcomes of a test part that count as attempted (``not_run``: no hidden part, or its public part failed).
ATTEMPTED = (Outcome.PASSED, Outcome.FAILED, Outcome.TIMEOUT, Outcome.LOST)


@dataclass
class CellStats:
    """One test cell across the class: how its public and hidden parts ended, and why they failed."""

    grade_id: str
    max_points: float
    public: Counter = field(default_factory=Counter)  # outcome -> submissions
    hidden: Counter = field(default_factory=Counter)
    unreached: int = 0  # graded submissions whose run ended before this cell (a timeout, a crash)
    messages: Counter = field(default_factory=Counter)  # message pattern -> submissions
    example: dict[str, str] = field(default_factory=dict)  # message pattern -> one message as a student saw it

    @staticmethod
    def rate(outcomes: Counter) -> float | None:
        """Share of attempted parts that passed; ``None`` when none was attempted."""
        attempted = sum(outcomes[o] for o in ATTEMPTED)
        return outcomes[Outcome.PASSED] / attempted if attempted else None

    def top_messages(self, n: int = TOP_MESSAGES) -> list[tuple[str, int]]:
        """The ``n`` most common failure messages (one example each) and how many submissions hit each."""
        return [(self.example[pattern], count) for pattern, count in self.messages.most_common(n)]


@dataclass
class ClassReport:
    """The numbers of one lab's graded class."""

    lab: str
    rows: list[GradeRow]
    cells: list[CellStats]
    seconds: dict[str, float]  # student id -> seconds its notebook ran (submissions with a graded notebook)
    late: list[str]
    resubmitted: list[str]

    @property
    def max_score(self) -> float:
        return max((row.max_score for row in self.rows), default=0.0)

    def statuses(self) -> Counter:
        """Rows per status, every status listed (best first)."""
        counts = Counter(row.status for row in self.rows)
        return Counter({str(status): counts[status] for status in Status})

    def render(self) -> str:
        """The report as text (what ``dcai report`` prints)."""
        scores = [row.score for row in self.rows]
        lines = [f"class report of {self.lab}: {len(self.rows)} student(s)"]
        if scores:
            mean = sum(scores) / len(scores)
            lines.append(f"  score: mean {mean:.1f}/{self.max_score:g}, median {statistics.median(scores):g}")
        lines.append("  status: " + ", ".join(f"{n} {s}" for s, n in self.statuses().items() if n))
        lines.append(f"  late: {len(self.late)}; resubmitted: {len(self.resubmitted)}")
        if self.seconds:
            times = sorted(self.seconds.values())
            lines.append(f"  run time: median {_secs(statistics.median(times))}, longest {_secs(times[-1])}")
        for cell in self.cells:
            public, hidden = CellStats.rate(cell.public), CellStats.rate(cell.hidden)
            lines.append(f"  {cell.grade_id}: public {_percent(public)}, hidden {_percent(hidden)}")
            for message, count in cell.top_messages(3):
                lines.append(f"      {count} x {_shorten(message, 100)}")
        return "\n".join(lines)


def class_report(out: str | Path, lab: str | None = None) -> ClassReport:
    """Gather the report of ``lab`` (default: the only lab) from the graded folder ``out``.

    Raises
    ------
    FileNotFoundError
        When ``out`` has no ``grades.csv``.
    ValueError
        When ``lab`` was not graded in ``out``, or ``out`` holds several labs and ``lab`` is not given.
    """
    folder = CourseFolder(out)
    if not folder.grades_csv.is_file():
        raise FileNotFoundError(f"{folder.grades_csv} does not exist: give the --out folder of `dcai grade`")
    every = read_rows(folder.grades_csv)
    labs = sorted({row.lab for row in every})
    if lab is None:
        if len(labs) != 1:
            raise ValueError(f"{out} holds the labs {', '.join(labs) or 'none'}; name one with --lab")
        lab = labs[0]
    rows = [row for row in every if row.lab == lab]
    if not rows:
        raise ValueError(f"{out} has no grades of lab {lab!r}; it holds {', '.join(labs) or 'none'}")
    cells = {cell.grade_id: cell for cell in _key_cells(folder, lab)}
    seconds = {}
    for row in rows:
        notebook = folder.autograded(nbgrader_id_for(row.student_id), lab) / f"{lab}.ipynb"
        if not notebook.is_file():
            continue
        nb = nbformat.read(notebook, as_version=4)
        if (ran := _seconds(nb)) is not None:
            seconds[row.student_id] = ran
        verdicts = _verdicts(nb)
        for grade_id, cell in cells.items():
            verdict = verdicts.get(grade_id)
            if verdict is None:
                cell.unreached += 1
                continue
            cell.public[verdict["public"]] += 1
            cell.hidden[verdict["hidden"]] += 1
            if verdict["points"] < verdict["max_points"]:
                message = verdict.get("message") or "(no message)"
                pattern = _pattern(message)
                cell.messages[pattern] += 1
                cell.example.setdefault(pattern, message)
    return ClassReport(
        lab=lab,
        rows=rows,
        cells=list(cells.values()),
        seconds=seconds,
        late=[row.student_id for row in rows if LATE_NOTE in row.detail],
        resubmitted=[row.student_id for row in rows if RESUBMISSION_NOTE.search(row.detail)],
    )


def _key_cells(folder: CourseFolder, lab: str) -> list[CellStats]:
    """The test cells of the answer key that graded the folder (``source/``), in notebook order."""
    key = folder.source(lab) / f"{lab}.ipynb"
    if not key.is_file():
        raise FileNotFoundError(f"{key} does not exist: grade the class again with this version of dcai")
    nb = nbformat.read(key, as_version=4)
    return [
        CellStats(nbgrader_meta(c)["grade_id"], float(nbgrader_meta(c).get("points", 0)))
        for c in nb.cells
        if is_test_cell(c)
    ]


def _verdicts(nb: nbformat.NotebookNode) -> dict[str, dict]:
    """The grader's verdict of each test cell of a graded notebook, by grade id."""
    found = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            verdict = output.get("data", {}).get(VERDICT_MIME)
            if isinstance(verdict, dict) and "grade_id" in verdict:
                found[verdict["grade_id"]] = verdict
    return found


def _seconds(nb: nbformat.NotebookNode) -> float | None:
    """Seconds from the first cell's start to the last cell's end, from the timestamps the kernel recorded."""
    stamps = []
    for cell in nb.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        for key in ("iopub.execute_input", "shell.execute_reply"):
            if key in timing:
                try:
                    stamps.append(datetime.fromisoformat(timing[key].replace("Z", "+00:00")))
                except ValueError:
                    continue
    return (max(stamps) - min(stamps)).total_seconds() if stamps else None


def _pattern(message: str) -> str:
    """A message with its numbers masked, so that the same mistake with different values counts once."""
    return re.sub(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", "#", message.strip())


def _secs(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{100 * rate:.0f} %"


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the page ------------------------------------------------------------------------------------


def write_html(report: ClassReport, path: str | Path) -> Path:
    """Write ``report`` as one offline HTML page (inline SVG plots, no script); its path."""
    path = Path(path)
    parts = [
        f"<h1>{html.escape(report.lab)}: class report</h1>",
        f"<p>{len(report.rows)} students; {len(report.late)} late; {len(report.resubmitted)} resubmitted "
        "(the last file graded). Numbers are from grades.csv and the grader's verdicts in autograded/.</p>",
        "<div class='row'>",
        _figure(_score_histogram(report), "Scores"),
        _figure(_status_bars(report), "Statuses"),
        "</div>",
        _figure(_pass_rates(report), "Pass rate per test cell (public and hidden parts apart)"),
        _cell_table(report),
        "<h2>Most common failure messages</h2>",
        _message_tables(report),
        "<div class='row'>",
        _figure(_run_times(report), "Run time per submission"),
        _names_table(report),
        "</div>",
    ]
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(report.lab)}: class report</title><style>{_CSS}</style></head>"
        f"<body>{''.join(parts)}</body></html>\n"
    )
    path.write_text(page, encoding="utf-8")
    return path


_CSS = (
    "body{font-family:sans-serif;margin:1.5em;max-width:1200px;color:#222}"
    "table{border-collapse:collapse;margin:0.5em 0 1.5em}td,th{border:1px solid #ccc;padding:0.25em 0.6em;"
    "text-align:left;vertical-align:top}td.n{text-align:right}figure{margin:0 1em 1em 0}"
    ".row{display:flex;flex-wrap:wrap;align-items:flex-start}figcaption{font-weight:bold}"
)


def _figure(svg: str, caption: str) -> str:
    return f"<figure><figcaption>{html.escape(caption)}</figcaption>{svg}</figure>"


def _svg(fig) -> str:
    """The figure as inline SVG (text kept as text), closed afterwards."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buffer.getvalue()
    # The XML prolog and the RDF metadata (links to purl.org and creativecommons.org) are not needed inline.
    return re.sub(r"<metadata>.*?</metadata>", "", svg[svg.index("<svg") :], flags=re.S)


def _axes(width: float, height: float):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(width, height))


def _label_bars(ax, bars, labels) -> None:
    ax.bar_label(bars, labels=labels, padding=2, fontsize=9)


def _score_histogram(report: ClassReport) -> str:
    top = report.max_score
    edges = [top * i / 10 for i in range(11)] if top else [0, 1]
    counts = [0] * (len(edges) - 1)
    for row in report.rows:
        index = min(int(row.score / top * 10), 9) if top else 0
        counts[index] += 1
    fig, ax = _axes(5.5, 3)
    lefts = edges[:-1]
    bars = ax.bar(lefts, counts, width=(edges[1] - edges[0]) * 0.9, align="edge", color="#4a7ab7")
    _label_bars(ax, bars, [str(c) if c else "" for c in counts])
    ax.set_xlabel(f"score (of {top:g}; each bar a tenth, the last includes {top:g})")
    ax.set_ylabel("students")
    ax.set_ylim(0, max(counts + [1]) * 1.2)
    return _svg(fig)


def _status_bars(report: ClassReport) -> str:
    statuses = report.statuses()
    fig, ax = _axes(4.5, 3)
    names = list(statuses)
    bars = ax.barh(names[::-1], [statuses[s] for s in names][::-1], color="#888")
    _label_bars(ax, bars, [str(statuses[s]) for s in names][::-1])
    ax.set_xlabel("students")
    ax.set_xlim(0, max(list(statuses.values()) + [1]) * 1.25)
    return _svg(fig)


def _pass_rates(report: ClassReport) -> str:
    names = [cell.grade_id for cell in report.cells]
    public = [CellStats.rate(cell.public) for cell in report.cells]
    hidden = [CellStats.rate(cell.hidden) for cell in report.cells]
    fig, ax = _axes(9, 0.45 * len(names) + 1)
    positions = range(len(names))
    for offset, rates, label, color in ((-0.2, public, "public", "#4a7ab7"), (0.2, hidden, "hidden", "#c60")):
        values = [100 * r if r is not None else 0 for r in rates]
        bars = ax.barh([p + offset for p in positions], values, height=0.4, label=label, color=color)
        _label_bars(ax, bars, [_percent(r) if r is not None else "no hidden part" for r in rates])
    ax.set_yticks(list(positions), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 115)
    ax.set_xlabel("% of the graded submissions that reached the cell")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _svg(fig)


def _run_times(report: ClassReport) -> str:
    fig, ax = _axes(5.5, 3)
    times = sorted(report.seconds.values())
    if times:
        ax.hist(times, bins=min(10, len(times)), color="#4a7ab7")
        median = statistics.median(times)
        ax.axvline(median, color="#222", linestyle="--", label=f"median {_secs(median)}")
        ax.legend()
    ax.set_xlabel("seconds the notebook ran")
    ax.set_ylabel("submissions")
    return _svg(fig)


def _cell_table(report: ClassReport) -> str:
    head = "<tr><th>test cell</th><th>points</th><th>public passed</th><th>hidden passed</th><th>not reached</th></tr>"
    body = []
    for cell in report.cells:
        public = _counts(cell.public)
        hidden = _counts(cell.hidden) if any(cell.hidden[o] for o in ATTEMPTED) else "no hidden part"
        body.append(
            f"<tr><td>{html.escape(cell.grade_id)}</td><td class='n'>{cell.max_points:g}</td><td>{public}</td>"
            f"<td>{hidden}</td><td class='n'>{cell.unreached}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def _counts(outcomes: Counter) -> str:
    attempted = sum(outcomes[o] for o in ATTEMPTED)
    if not attempted:
        return "-"
    others = ", ".join(f"{outcomes[o]} {o}" for o in ATTEMPTED[1:] if outcomes[o])
    return f"{outcomes[Outcome.PASSED]} of {attempted} ({_percent(CellStats.rate(outcomes))})" + (
        f"; {others}" if others else ""
    )


def _message_tables(report: ClassReport) -> str:
    parts = []
    for cell in report.cells:
        if not cell.messages:
            continue
        rows = "".join(
            f"<tr><td class='n'>{count}</td><td>{html.escape(_shorten(message, 300))}</td></tr>"
            for message, count in cell.top_messages()
        )
        parts.append(
            f"<h3>{html.escape(cell.grade_id)}</h3><table><tr><th>students</th><th>message</th></tr>{rows}</table>"
        )
    return "".join(parts) or "<p>No test cell lost points.</p>"


def _names_table(report: ClassReport) -> str:
    groups = defaultdict(list)
    for name in report.late:
        groups["late"].append(name)
    for name in report.resubmitted:
        groups["resubmitted"].append(name)
    for row in report.rows:
        if row.status in (Status.INVALID, Status.MISSING):
            groups[str(row.status)].append(row.student_id)
    rows = "".join(
        f"<tr><td>{html.escape(kind)}</td><td class='n'>{len(names)}</td><td>{html.escape(', '.join(names))}</td></tr>"
        for kind, names in groups.items()
    )
    head = "<tr><th>who</th><th>count</th><th>students</th></tr>"
    return f"<table>{head}{rows}</table>" if rows else "<p>No late, resubmitted, invalid or missing submission.</p>"
