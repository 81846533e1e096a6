"""Fit the logistic coefficients of MatchConfig on the dev benchmark, checking for over-fitting.

    .venv/bin/python bench/fit_match_config.py [--bench ../shared/data/bench]

Every candidate (query, entry) pair the engine assesses becomes a row: the name features, the
birth-date / nationality / gender agreements, and label 1 when the entry is the query's person.
Candidates come from the screening search itself (`--candidates pruned`, the default: every name
whose bounded score can reach `--floor` under the current coefficients, at most `max_candidates`
per traveller) or from the plain top-30 by overlap (`--candidates overlap`).
The dev split is cut in two halves *by listed person* (negatives by query id); the model is fitted
on one half and scored on the other, both ways, then fitted on all of dev. Printed: coefficients
(paste them into MatchConfig), and per half the recall at <= 1 false alert per 1,000 negatives.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from pathlib import Path

import numpy as np

from borderwatch.domain.hits import BirthDateAgreement, FactAgreement, MatchConfig
from borderwatch.domain.screening import assess_candidates
from borderwatch.services.evaluation import ListSpec, import_lists, subject_from_query
from borderwatch.services.names import build_name_index

DOB = [a for a in BirthDateAgreement if a is not BirthDateAgreement.UNKNOWN]
NAMES = [
    "w_matched",
    "w_matched_beyond_best",
    "w_coverage_traveller",
    "w_coverage_listed",
    "w_unmatched_traveller",
    "w_unmatched_listed",
    *[f"w_dob_{a.name.lower()}" for a in DOB],
    "w_nationality_match",
    "w_nationality_conflict",
    "w_gender_match",
    "w_gender_conflict",
    "w_matched_without_date",
]


def half(text: str) -> int:
    return hashlib.sha256(text.encode()).digest()[0] & 1


def rows_for(
    bench: Path, config: MatchConfig, pruned: bool = True
) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str, int, str]]]:
    lists = [
        ListSpec("un", bench / "watchlists/UN_consolidated.xml"),
        ListSpec("ofac", bench / "watchlists/sdn.csv"),
    ]
    entries = [e for p in import_lists(lists) for e in p.entries]
    index = build_name_index(entries)
    xs, ys, meta = [], [], []
    for line in (bench / "names-dev.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line)
        qid, subject, _ = subject_from_query(q, "dev", 0)
        assert subject is not None
        gold = {q["expect"], *(q.get("also") or [])} if q.get("expect") else set()
        group = half(q["expect"]) if q.get("expect") else half(qid)
        for a in assess_candidates(subject, index, config, prune=pruned):
            f = a.features
            x = [
                f.matched,
                f.matched_beyond_best,
                f.coverage_traveller,
                f.coverage_listed,
                f.unmatched_traveller,
                f.unmatched_listed,
            ]
            x += [1.0 if a.birth_date is d else 0.0 for d in DOB]
            x += [a.nationality is FactAgreement.MATCH, a.nationality is FactAgreement.CONFLICT]
            x += [a.gender is FactAgreement.MATCH, a.gender is FactAgreement.CONFLICT]
            x += [f.matched if a.birth_date is BirthDateAgreement.UNKNOWN else 0.0]
            xs.append([float(v) for v in x])
            ys.append(1.0 if index.entries[a.entry].entity_id in gold else 0.0)
            meta.append((qid, str(q["kind"]), group, str(index.entries[a.entry].entity_id)))
    return np.array(xs), np.array(ys), meta


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Return [intercept, coefficients...] of an L2-regularised logistic regression (Newton steps)."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xb.shape[1])
    reg = np.full(xb.shape[1], l2)
    reg[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w


def evaluate(
    w: np.ndarray, x: np.ndarray, y: np.ndarray, meta: list[tuple[str, str, int, str]], mask: np.ndarray
) -> dict[str, float]:
    z = w[0] + x @ w[1:]
    score = 1 / (1 + np.exp(-z))
    gold_best: dict[str, float] = {}
    wrong_best: dict[str, float] = {}
    kinds: dict[str, str] = {}
    for i in np.nonzero(mask)[0]:
        qid, kind, _, _ = meta[i]
        kinds[qid] = kind
        target = gold_best if y[i] else wrong_best
        target[qid] = max(target.get(qid, 0.0), float(score[i]))
    negatives = [wrong_best.get(q, 0.0) for q, k in kinds.items() if k == "negative"]
    n_neg = max(1, sum(1 for k in kinds.values() if k == "negative"))
    # threshold at <= 1 false alert / 1,000 negatives (on this half's negatives)
    neg_sorted = sorted(negatives, reverse=True)
    allowed = int(n_neg / 1000)
    thr = neg_sorted[allowed] + 1e-9 if len(neg_sorted) > allowed else 0.0
    out = {"threshold_fa1": thr}
    for group in ("alias-good", "original-script", "alias-low"):
        qs = [q for q, k in kinds.items() if k == group]
        out[group] = sum(1 for q in qs if gold_best.get(q, 0.0) >= thr) / max(1, len(qs))
    good = [q for q, k in kinds.items() if k in ("alias-good", "original-script")]
    out["good+orig"] = sum(1 for q in good if gold_best.get(q, 0.0) >= thr) / max(1, len(good))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bench", type=Path, default=Path("../shared/data/bench"))
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--cache", type=Path, default=None, help="npz file to reuse the rows")
    ap.add_argument("--candidates", choices=("pruned", "overlap"), default="pruned")
    ap.add_argument("--floor", type=float, default=0.02, help="least score a pruned candidate can reach")
    a = ap.parse_args()
    if a.cache and a.cache.exists():
        data = np.load(a.cache, allow_pickle=True)
        x, y, meta = data["x"], data["y"], [tuple(m) for m in data["meta"]]
        meta = [(str(q), str(k), int(g), str(e)) for q, k, g, e in meta]
    else:
        config = MatchConfig(alert_threshold=a.floor)
        x, y, meta = rows_for(a.bench, config, pruned=a.candidates == "pruned")
        if a.cache:
            np.savez(a.cache, x=x, y=y, meta=np.array(meta, dtype=object))
    groups = np.array([m[2] for m in meta])
    print(f"{len(y)} candidate rows, {int(y.sum())} true pairs")
    for train in (0, 1):
        w = fit(x[groups == train], y[groups == train], a.l2)
        print(
            f"fit on half {train}, scored on half {1 - train}:",
            evaluate(w, x, y, meta, groups != train),
            " (on its own half:",
            evaluate(w, x, y, meta, groups == train),
            ")",
        )
    w = fit(x, y, a.l2)
    print("all dev:", evaluate(w, x, y, meta, np.ones(len(y), dtype=bool)))
    print(f"intercept: float = {w[0]:.3f}")
    for name, value in zip(NAMES, w[1:], strict=True):
        print(f"{name}: float = {value:.3f}")
    _ = math


if __name__ == "__main__":
    main()
