"""Choosing the learned path's settings on validation data only (issue 11/12 accuracy targets).

Every variant is measured with ``Router(agents)`` (auto, as ``benchmarks/accuracy.py`` fits it:
linear on these intent sets, blended for the ``blended`` and ``evidence=`` variants) on data that is never
a test split:

* ``clinc-val``: CLINC150 trained on its training split, scored on its validation split
  (in-scope closed-set accuracy; out-of-scope AUROC and the best recall at in-scope >= 92%);
* ``banking-carve``: BANKING77 trained on its training split minus every 10th example,
  scored on those held-out examples;
* ``snips-val``: SNIPS trained on its training split, scored on its validation split;
* ``--cv``: stratified 5-fold cross-validation on each training split (seeded).

    python benchmarks/intent_validation.py [--cv] [--variants NAME,...] [--shared PATH]

A variant is a set of settings of the learned part (``--list`` names them); each is applied by
replacing the module-level settings it names for the duration of its run. The test splits are
never read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator, Sequence

import numpy as np

from agentroute import Agent, Router, evaluate, read_labelled
from agentroute.routing import blend, evidence, linear, ovr, plan

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accuracy import intent_agents  # noqa: E402 - the sibling benchmark module

HERE = Path(__file__).resolve().parent

#: name -> settings: module attributes of routing/ovr.py, linear.py, blend.py (or this file's) set for the run.
VARIANTS: dict[str, dict[str, Any]] = {
    "base": {},
    **{f"C={c}": {"FULL_C": c} for c in (0.25, 0.5, 0.7, 1.5, 2.0, 4.0)},
    "hinge": {"FULL_LOSS": "hinge"},
    "hinge+C=2": {"FULL_LOSS": "hinge", "FULL_C": 2.0},
    "hinge+C=0.5": {"FULL_LOSS": "hinge", "FULL_C": 0.5},
    "crammer_singer": {"FULL_MULTI_CLASS": "crammer_singer"},
    "unweighted": {"FULL_CLASS_WEIGHT": None},
    "intercept=3": {"FULL_INTERCEPT_SCALING": 3.0},
    "intercept=10": {"FULL_INTERCEPT_SCALING": 10.0},
    "char=1.0": {"CHAR_WEIGHT": 1.0},
    "char=1.5": {"CHAR_WEIGHT": 1.5},
    "word=0.8": {"WORD_WEIGHT": 0.8},
    "word=1.25": {"WORD_WEIGHT": 1.25},
    "linear": {"STRATEGY": "linear"},
    "char-min-df=2": {"CHAR_MIN_DF": 2},
    "word-min-df=2": {"WORD_MIN_DF": 2},
    "base+baselines": {"BASELINES": True},
    "base+seed1": {"CV_SEED": 1},
    **{f"char-idf+{w}+seed1": {"CHAR_IDF": True, "CHAR_WEIGHT": w, "CV_SEED": 1} for w in (1.0, 1.2)},
    # The evidence constant moves λ, which only the blend uses (auto fits linear on intent data).
    **{f"evidence={e}": {"EVIDENCE": e, "STRATEGY": "blended"} for e in (2.0, 5.0, 20.0)},
    "blended": {"STRATEGY": "blended"},
    **{f"char-idf+{w}": {"CHAR_IDF": True, "CHAR_WEIGHT": w} for w in (0.8, 1.0, 1.2, 1.5)},
    # Issue 12: the training examples as learned ones (Example.learned), as a learned-examples file adds them.
    "learned": {"LEARNED": True},
    **{f"learned+profile-share={p}": {"LEARNED": True, "LEARNED_PROFILE_SHARE": p} for p in (0.0, 2.0)},
}


@contextmanager
def applied(settings: dict[str, Any]) -> Iterator[None]:
    """Set each named module-level setting (routing/ovr.py, linear.py, blend.py, evidence.py, plan.py or this
    file's) for the block."""
    saved: dict[tuple[Any, str], Any] = {}
    try:
        for key, value in settings.items():
            module = next((m for m in (ovr, linear, blend, evidence, plan, sys.modules[__name__]) if hasattr(m, key)), None)
            if module is None:
                raise KeyError(f"unknown setting {key!r}")
            saved[(module, key)] = getattr(module, key)
            setattr(module, key, value)
        yield
    finally:
        for (module, key), value in saved.items():
            setattr(module, key, value)


#: The strategy every run fits ("auto": as Router(agents) fits intent data, linear since the profile
#: part would carry under 5% of any score: routing/plan.py ``LINEAR_PROFILE_SHARE``).
STRATEGY = "auto"


#: Whether the training examples are learned ones (``Example.learned``) rather than authored.
LEARNED = False


def _agents(rows: Sequence[Any]) -> list[Agent]:
    agents = intent_agents(rows)
    if not LEARNED:
        return agents
    return [replace(a, examples=tuple(replace(e, learned=True) for e in a.examples)) for a in agents]


def _closed(train: Sequence[Any], scored: Sequence[Any]) -> tuple[Router, Any, float]:
    started = time.perf_counter()
    router = Router(_agents(train), strategy=STRATEGY)  # type: ignore[arg-type]
    fit = time.perf_counter() - started
    return router, evaluate(router, scored), fit


def _oos_recall_at(report_router: Router, rows: Sequence[Any], floor: float = 0.92) -> float:
    """Best out-of-scope recall over thresholds keeping in-scope accuracy >= ``floor`` (on the same rows)."""
    ranked = report_router.rank_many([r.text for r in rows], k=1)
    top = np.array([r[0].score if r else 0.0 for r in ranked])
    right = np.array([bool(r) and r[0].agent.name == row.label for r, row in zip(ranked, rows)])
    inside = np.array([row.label is not None for row in rows])
    best = 0.0
    for t in np.unique(top):
        answered = top >= t
        if np.mean(answered[inside] & right[inside]) >= floor:
            best = max(best, float(np.mean(~answered[~inside])))
    return best


def holdout(shared: Path) -> dict[str, float]:
    data = shared / "datasets"
    out: dict[str, float] = {}
    clinc_train = read_labelled(data / "clinc150" / "train.jsonl")
    clinc_val = read_labelled(data / "clinc150" / "val.jsonl")
    router, report, fit = _closed(clinc_train, clinc_val)
    out.update({"clinc-val": report.closed_set_accuracy, "clinc-val-auroc": report.auroc,
                "clinc-val-oos@92": _oos_recall_at(router, clinc_val), "clinc-fit-s": fit})
    bank = read_labelled(data / "banking77" / "train.jsonl")
    _, report, fit = _closed([r for i, r in enumerate(bank) if i % 10], [r for i, r in enumerate(bank) if i % 10 == 0])
    out.update({"banking-carve": report.closed_set_accuracy, "banking-fit-s": fit})
    _, report, _ = _closed(read_labelled(data / "snips" / "train.jsonl"), read_labelled(data / "snips" / "val.jsonl"))
    out["snips-val"] = report.closed_set_accuracy
    return out


def curve(shared: Path, ks: Sequence[int] = (1, 2, 5, 10, 20, 50)) -> dict[str, float]:
    """CLINC150 validation (in-scope, closed set) of Router(agents) with k training examples per
    intent, sampled as benchmarks/learning_curves.py samples them (same seed)."""
    from learning_curves import SEED, _sample

    from accuracy import TfidfSvc

    rows = read_labelled(shared / "datasets" / "clinc150" / "train.jsonl")
    by_label: dict[str, list[Any]] = {}
    for row in rows:
        if row.label is not None:
            by_label.setdefault(row.label, []).append(row)
    val = [r for r in read_labelled(shared / "datasets" / "clinc150" / "val.jsonl") if r.label is not None]
    out: dict[str, float] = {}
    for k in ks:
        rng = np.random.default_rng(SEED)
        chosen = [r for label in sorted(by_label) for r in _pick(by_label[label], k, rng, _sample)]
        agents = _agents(chosen)
        out[f"k{k}"] = evaluate(Router(agents, strategy=STRATEGY), val).closed_set_accuracy  # type: ignore[arg-type]
        if BASELINES:
            names = [a.name for a in agents]
            out[f"k{k}-profile"] = evaluate(Router(agents, strategy="profile"), val).closed_set_accuracy
            top = TfidfSvc(agents).scores([r.text for r in val]).argmax(axis=1)
            out[f"k{k}-svc"] = float(np.mean([names[i] == r.label for i, r in zip(top, val)]))
    return out


#: Seed of the cross-validation folds.
CV_SEED = 0
#: With --curve, also the profile and tfidf-svc baselines at each k.
BASELINES = False


def _pick(rows: list[Any], k: int, rng: np.random.Generator, sample: Any) -> list[Any]:
    texts = sample([r.text for r in rows], k, rng)
    by_text = {r.text: r for r in rows}
    return [by_text[t] for t in texts]


def cross_validation(shared: Path, folds: int = 5) -> dict[str, float]:
    from sklearn.model_selection import StratifiedKFold

    out: dict[str, float] = {}
    for name in ("clinc150", "banking77", "snips"):
        rows = [r for r in read_labelled(shared / "datasets" / name / "train.jsonl") if r.label is not None]
        labels = [r.label for r in rows]
        right = 0
        for learn, held in StratifiedKFold(folds, shuffle=True, random_state=CV_SEED).split(rows, labels):
            _, report, _ = _closed([rows[i] for i in learn], [rows[i] for i in held])
            right += round(report.closed_set_accuracy * len(held))
        out[f"{name}-cv"] = right / len(rows)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--variants", default="base")
    parser.add_argument("--cv", action="store_true", help="also 5-fold cross-validation on the training splits")
    parser.add_argument("--no-holdout", action="store_true")
    parser.add_argument("--curve", action="store_true", help="also CLINC150 validation at k examples per intent")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="append one JSON line per variant here")
    args = parser.parse_args(argv)
    if args.list:
        for name, settings in VARIANTS.items():
            print(name, settings)
        return 0
    for name in args.variants.split(","):
        started = time.perf_counter()
        with applied(VARIANTS[name]):
            figures = {} if args.no_holdout else holdout(args.shared)
            if args.cv:
                figures.update(cross_validation(args.shared))
            if args.curve:
                figures.update(curve(args.shared))
        record = {"variant": name, "settings": {k: repr(v) for k, v in VARIANTS[name].items()},
                  "seconds": round(time.perf_counter() - started, 1),
                  **{k: round(100 * v, 2) if not k.endswith("-s") else round(v, 2) for k, v in figures.items()}}
        line = json.dumps(record)
        print(line, flush=True)
        if args.out:
            with args.out.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
