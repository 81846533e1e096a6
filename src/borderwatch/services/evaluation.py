"""Evaluation of the name engine on a benchmark: import the lists, screen each query, write the alerts."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from borderwatch.domain.hits import MatchConfig, ScreeningSubject
from borderwatch.domain.names.index import NameIndex
from borderwatch.domain.screening import screen_subject
from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import ListEntry
from borderwatch.errors import InputError, Position
from borderwatch.formats.lists.common import ParsedList
from borderwatch.formats.lists.ofac import parse_ofac
from borderwatch.formats.lists.un import parse_un_list
from borderwatch.formats.problems import Problem
from borderwatch.services.names import build_name_index
from borderwatch.services.reference import country_table

LIST_KINDS = ("un", "ofac")


@dataclass(frozen=True, slots=True)
class ListSpec:
    """A watch-list file to import, as given on the command line (`un:FILE`, `ofac:FILE`)."""

    kind: str
    path: Path

    @classmethod
    def parse(cls, text: str) -> ListSpec:
        """Return the spec for `KIND:FILE`, or raise InputError."""
        kind, sep, path = text.partition(":")
        if not sep or kind.lower() not in LIST_KINDS or not path:
            raise InputError(
                f"--list {text!r}: expected KIND:FILE with KIND one of {', '.join(LIST_KINDS)}",
                field="--list",
                reason="unknown list kind or missing file",
            )
        return cls(kind.lower(), Path(path))


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """What an evaluation run did: counts, problems and timings."""

    lists: tuple[tuple[str, int, int], ...]  # (file, entries, problems)
    queries: int
    alerts: int
    queries_alerting: int
    index_names: int
    import_seconds: float
    build_seconds: float
    screen_seconds: float
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def queries_per_second(self) -> float:
        """Return the screening throughput (import and index build excluded)."""
        return self.queries / self.screen_seconds if self.screen_seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        """Return the report as a JSON-ready mapping."""
        return {
            "lists": [{"file": f, "entries": e, "problems": p} for f, e, p in self.lists],
            "queries": self.queries,
            "alerts": self.alerts,
            "queries_alerting": self.queries_alerting,
            "index_names": self.index_names,
            "import_seconds": round(self.import_seconds, 3),
            "build_seconds": round(self.build_seconds, 3),
            "screen_seconds": round(self.screen_seconds, 3),
            "queries_per_second": round(self.queries_per_second, 1),
            "problems": [p.as_dict() for p in self.problems],
        }


def import_lists(specs: Sequence[ListSpec]) -> list[ParsedList]:
    """Return the parsed lists (raises InputError when a file cannot be read, FormatError when unusable)."""
    countries = country_table()
    parsed = []
    for spec in specs:
        try:
            data = spec.path.read_bytes()
        except OSError as exc:
            raise InputError(
                f"cannot read list file {spec.path}: {exc.strerror or exc}", source=str(spec.path)
            ) from exc
        if spec.kind == "un":
            parsed.append(parse_un_list(data, countries=countries, source=spec.path.name))
        else:
            parsed.append(parse_ofac(data, countries=countries, source=spec.path.name))
    return parsed


def subject_from_query(
    row: dict[str, object], source: str, line: int
) -> tuple[str, ScreeningSubject | None, Problem | None]:
    """Return the id and subject of a benchmark line (reads id, name, birth_date, nationality, gender)."""
    qid = row.get("id")
    name = row.get("name")
    if not isinstance(qid, str) or not isinstance(name, str):
        return (
            "",
            None,
            Problem(
                source,
                Position(line=line),
                "id/name",
                "a query needs string 'id' and 'name'",
                json.dumps(row)[:200],
            ),
        )
    born: date | None = None
    raw_date = row.get("birth_date")
    problem = None
    if isinstance(raw_date, str) and raw_date:
        try:
            born = date.fromisoformat(raw_date[:10])
        except ValueError:
            problem = Problem(
                source,
                Position(line=line),
                "birth_date",
                f"not an ISO date: {raw_date!r}; screened without it",
                raw_date,
            )
    nationality = row.get("nationality")
    code = country_table().canonical(nationality) if isinstance(nationality, str) and nationality else ""
    gender = row.get("gender")
    # Several spellings of one person may come in one field, separated by semicolons.
    names = tuple(part.strip() for part in name.split(";") if part.strip()) or (name,)
    subject = ScreeningSubject(
        names=names,
        birth_date=born,
        nationality=code,
        gender=Gender.from_code(gender if isinstance(gender, str) else None),
    )
    return qid, subject, problem


def evaluate_names(
    lists: Sequence[ListSpec],
    queries: Path,
    out: Path,
    *,
    config: MatchConfig | None = None,
    index: NameIndex | None = None,
) -> EvaluationReport:
    """Import the lists, screen every query and write one result line per query; return the report."""
    config = config or MatchConfig()
    started = time.perf_counter()
    parsed = import_lists(lists)
    entries: list[ListEntry] = [e for p in parsed for e in p.entries]
    imported = time.perf_counter()
    index = index or build_name_index(entries)
    built = time.perf_counter()
    problems: list[Problem] = []
    try:
        lines = queries.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(
            f"cannot read queries {queries}: {exc.strerror or exc}", source=str(queries)
        ) from exc
    count = alerts = alerting = 0
    out_lines = []
    for number, line in enumerate(_non_empty(lines), 1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(queries.name, Position(line=number), "", f"not JSON: {exc.msg}", line[:200])
            )
            continue
        if not isinstance(row, dict):
            problems.append(
                Problem(
                    queries.name, Position(line=number), "", "a query line must be a JSON object", line[:200]
                )
            )
            continue
        qid, subject, problem = subject_from_query(row, queries.name, number)
        if problem:
            problems.append(problem)
        if subject is None:
            continue
        hits = screen_subject(subject, index, config)
        count += 1
        alerts += len(hits)
        alerting += bool(hits)
        matches = [{"entity": h.entity_id, "score": round(h.score, 6)} for h in hits]
        out_lines.append(
            json.dumps({"id": qid, "matches": matches}, ensure_ascii=False, separators=(",", ":"))
        )
    screened = time.perf_counter()
    try:
        out.write_text("\n".join(out_lines) + ("\n" if out_lines else ""), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write results to {out}: {exc.strerror or exc}", source=str(out)) from exc
    return EvaluationReport(
        lists=tuple(
            (spec.path.name, len(p.entries), len(p.problems)) for spec, p in zip(lists, parsed, strict=True)
        ),
        queries=count,
        alerts=alerts,
        queries_alerting=alerting,
        index_names=len(index.names),
        import_seconds=imported - started,
        build_seconds=built - imported,
        screen_seconds=screened - built,
        problems=tuple(problems),
    )


def _non_empty(lines: Iterable[str]) -> Iterable[str]:
    for line in lines:
        if line.strip():
            yield line
