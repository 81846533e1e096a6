"""The debrief of an exercise: one self-contained HTML file with charts, for the instructor's session.

It shows a per-trainee outcome table, the time each trainee took to decide, which name variants and
which kinds of planted case were missed, and for every planted case the explanation the engine gave
(the alert's reason and evidence) or that it raised nothing. Charts are matplotlib PNGs drawn with
the Agg backend (no display) and embedded as `data:` URIs, so the file can be mailed or archived alone.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from borderwatch.domain.audit import Actor
from borderwatch.domain.exercises import PlantedKind, VariantRule
from borderwatch.errors import InputError
from borderwatch.services.exercises import ExerciseResults, exercise_results
from borderwatch.store.session import Database

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #1d2733; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ccd; }
table { border-collapse: collapse; margin: 1em 0; width: 100%; }
th, td { border: 1px solid #ccd; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #eef1f5; } td.num { text-align: right; }
.ok { color: #1b7a3a; } .bad { color: #b3261e; } .muted { color: #667; }
img { max-width: 100%; } ul.evidence { margin: 0.3em 0; padding-left: 1.2em; }
"""


def _png(figure: Figure) -> str:
    """Return the figure as a `data:image/png;base64,...` URI."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def outcome_chart(results: ExerciseResults) -> str:
    """Return a bar chart of planted cases found and missed, and false alarms, per trainee."""
    rows = results.summary.trainees
    names = [r.trainee for r in rows]
    found = [len(r.found) for r in rows]
    missed = [len(r.missed) for r in rows]
    alarms = [len(r.false_alarms) for r in rows]
    figure = Figure(figsize=(7, 3.2))
    axes = figure.add_subplot()
    positions = list(range(len(names)))
    width = 0.27
    axes.bar([p - width for p in positions], found, width, label="found", color="#2e7d32")
    axes.bar(positions, missed, width, label="missed", color="#c62828")
    axes.bar([p + width for p in positions], alarms, width, label="false alarms", color="#f9a825")
    axes.set_xticks(positions, names)
    axes.set_ylabel("cases / alerts")
    axes.set_title("Outcome per trainee")
    axes.legend()
    return _png(figure)


def time_chart(results: ExerciseResults) -> str:
    """Return a box plot of minutes from the exercise's start to each decision, per trainee."""
    rows = results.summary.trainees
    figure = Figure(figsize=(7, 3.2))
    axes = figure.add_subplot()
    data = [[s / 60 for s in r.seconds_to_decision] or [0.0] for r in rows]
    axes.boxplot(data, tick_labels=[r.trainee for r in rows])
    axes.set_ylabel("minutes after the start")
    axes.set_title("Time to decision")
    return _png(figure)


def missed_chart(results: ExerciseResults) -> str:
    """Return bar charts of misses by name variant and by kind of planted case, summed over trainees."""
    variants = {rule: 0 for rule in VariantRule}
    kinds = {kind: 0 for kind in PlantedKind if kind.should_flag}
    for row in results.summary.trainees:
        for rule, count in row.missed_variants.items():
            variants[rule] += count
        for kind, score in row.by_kind.items():
            kinds[kind] += score.missed
    figure = Figure(figsize=(9, 3.4))
    left, right = figure.subplots(1, 2)
    left.barh([r.value for r in variants], list(variants.values()), color="#6a1b9a")
    left.set_title("Missed, by name variant")
    right.barh([k.value for k in kinds], list(kinds.values()), color="#c62828")
    right.set_title("Missed, by kind of case")
    figure.tight_layout()
    return _png(figure)


def _e(value: object) -> str:
    return html.escape(str(value))


def _trainee_table(results: ExerciseResults) -> str:
    total = sum(1 for c in results.answer_key.cases if c.should_flag)
    lines = [
        '<table id="trainees"><tr><th>trainee</th><th>found</th><th>missed</th><th>false alarms</th>'
        "<th>cleared correctly</th><th>undecided</th><th>recall</th><th>precision</th>"
        "<th>median time to decision</th></tr>"
    ]
    for row in results.summary.trainees:
        median = row.median_seconds
        lines.append(
            f"<tr><td>{_e(row.trainee)}</td><td class='num'>{len(row.found)}/{total}</td>"
            f"<td class='num'>{len(row.missed)}</td><td class='num'>{len(row.false_alarms)}</td>"
            f"<td class='num'>{row.cleared_correctly}</td><td class='num'>{row.undecided}</td>"
            f"<td class='num'>{row.recall:.0%}</td><td class='num'>{row.precision:.0%}</td>"
            f"<td class='num'>{'-' if median is None else f'{median / 60:.1f} min'}</td></tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)


def _evidence(items: Sequence[object]) -> str:
    parts = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = f"{item.get('feature', '')}: {item.get('rule', '')}"
        if item.get("traveller_value") or item.get("list_value"):
            text += f" ({item.get('traveller_value', '')} / {item.get('list_value', '')})"
        if item.get("note"):
            text += f" - {item.get('note')}"
        parts.append(f"<li>{_e(text)}</li>")
    return f"<ul class='evidence'>{''.join(parts)}</ul>" if parts else ""


def _case_table(results: ExerciseResults) -> str:
    trainees = results.exercise.trainees
    lines = [
        '<table id="cases"><tr><th>case</th><th>kind</th><th>traveller</th><th>what was planted</th>'
        "<th>the engine's explanation</th><th>flagged by</th></tr>"
    ]
    for outcome in results.summary.cases:
        case = outcome.case
        if outcome.alert_ids:
            engine = "".join(
                f"<p><b>alert {a}</b> ({_e(results.details[a].summary.kind.value)}, "
                f"score {results.details[a].summary.score:.2f}): {_e(results.details[a].summary.reason)}</p>"
                + _evidence(results.details[a].evidence)
                for a in outcome.alert_ids
                if a in results.details
            )
        elif case.should_flag:
            engine = (
                "<p class='bad'>no alert raised"
                + (": a deliberately hard case, found only by reading the travellers" if case.hard else "")
                + "</p>"
            )
        else:
            engine = "<p class='ok'>no alert raised (right: another person)</p>"
        if case.should_flag:
            missed_by = [t for t in trainees if t not in outcome.flagged_by]
            who = f"<span class='ok'>{_e(', '.join(outcome.flagged_by)) or 'nobody'}</span>" + (
                f"<br><span class='bad'>missed: {_e(', '.join(missed_by))}</span>" if missed_by else ""
            )
        else:
            who = (
                f"<span class='bad'>false alarm: {_e(', '.join(outcome.flagged_by))}</span>"
                if outcome.flagged_by
                else "<span class='ok'>nobody (right)</span>"
            )
        variants = ", ".join(v.value for v in case.variants)
        planted = _e(case.explanation) + (
            f"<br><span class='muted'>variants: {_e(variants)}</span>" if variants else ""
        )
        lines.append(
            f"<tr><td>{_e(case.case_id)}</td><td>{_e(case.kind.value)}{' (hard)' if case.hard else ''}</td>"
            f"<td>{_e(case.family_name)}/{_e(case.given_names)}<br><span class='muted'>"
            f"{_e(case.passenger_ref)}, {_e(case.nationality)}, born {_e(case.birth_date or '?')}</span></td>"
            f"<td>{planted}</td><td>{engine}</td><td>{who}</td></tr>"
        )
    lines.append("</table>")
    return "\n".join(lines)


def render_debrief(results: ExerciseResults) -> str:
    """Return the debrief as one HTML document (charts embedded)."""
    ex = results.exercise
    key = results.answer_key
    missed_rows = [
        f"<li>{_e(r.trainee)}: "
        + (", ".join(f"{_e(k.value)} x{v}" for k, v in r.missed_variants.items()) or "none")
        + "</li>"
        for r in results.summary.trainees
    ]
    started = ex.started_at.isoformat(timespec="minutes")
    to_find = sum(1 for c in key.cases if c.should_flag)
    near = len(key.cases) - to_find
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Debrief: {_e(ex.title)}</title>
<style>{_STYLE}</style></head><body>
<h1>Debrief: {_e(ex.title)}</h1>
<p>Exercise {ex.exercise_id} in {_e(results.agency)}, scenario {_e(key.scenario_id)} (seed {key.seed},
{_e(key.difficulty.value)}), flight {_e(key.flight_key)}; started {_e(started)} by {_e(ex.started_by)}.
{results.summary.alerts} alerts, {results.summary.unplanted_alerts} of them not from a planted case;
{to_find} cases to find, {near} near misses to leave alone.</p>
<h2>Outcome per trainee</h2>
{_trainee_table(results)}
<img alt="Outcome per trainee" src="{outcome_chart(results)}">
<h2>Time to decision</h2>
<p>Minutes from the start of the exercise to each decision (the last one on each alert).</p>
<img alt="Time to decision" src="{time_chart(results)}">
<h2>What was missed</h2>
<ul>{"".join(missed_rows)}</ul>
<img alt="Missed variants and kinds" src="{missed_chart(results)}">
<h2>Planted cases and the engine's explanation</h2>
{_case_table(results)}
</body></html>
"""


def style_source() -> str:
    """Return the CSP hash source (`'sha256-...'`) that lets a browser apply the debrief's one `<style>`.

    The debrief is one self-contained file, so its style is inline; a page serving it allows that
    exact style by its hash (CSP level 2, "hash-source") instead of `'unsafe-inline'`. Its charts
    are `data:` images, which the console's policy already allows.
    """
    digest = hashlib.sha256(_STYLE.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def debrief_html(db: Database, actor: Actor, exercise_id: int) -> str:
    """Return the exercise's debrief as one HTML document (instructors only)."""
    return render_debrief(exercise_results(db, actor, exercise_id))


def write_debrief(db: Database, actor: Actor, exercise_id: int, out: Path) -> Path:
    """Write the exercise's debrief to `out` (an HTML file) and return its path; instructors only."""
    results = exercise_results(db, actor, exercise_id)
    text = render_debrief(results)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except (IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        raise InputError(f"{out}: cannot write the debrief there ({exc.strerror})", source=str(out)) from exc
    return out
