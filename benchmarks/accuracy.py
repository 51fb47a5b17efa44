"""Accuracy benchmark: agentroute's default Router against two baselines, same run, same data.

Datasets (from ../shared, skipped with a clear note when absent):

* CLINC150 "Full" (train/val/test; ``oos`` rows are out of scope), BANKING77
  (train/test), SNIPS (train/val/test): each intent becomes an agent whose
  examples are its training requests;
* leave-one-out on every agent collection of ../shared/corpora that has
  example requests or quoted trigger phrases, and on the built-in agents; plus
  the built-in agents' bundled test requests;
* the hand-written realistic requests of benchmarks/data (see benchmarks/realistic.py):
  dev half (parameters were chosen on it) and held-out half, beside the figures of the
  code before issue 13 (benchmarks/results/realistic-before-9c37cec.json), and the seed
  check (seed backend-engineer among lst97's agents, each example held out).

Baselines, fitted on exactly the same data:

* ``plain-tfidf``: ``TfidfVectorizer()`` with defaults, one document per agent
  (examples, or name + description + body), cosine, argmax;
* ``tfidf-svc``: word 1-2 + char_wb 2-5 TF-IDF (scikit-learn defaults otherwise)
  with ``LinearSVC`` on the example requests (intent datasets only).

Thresholds are chosen on validation data only (CLINC val): the one with the
best out-of-scope recall that keeps in-scope validation accuracy >= 93%.
Test data is touched once per configuration.

    python benchmarks/accuracy.py [--shared PATH] [--skip-datasets] [--skip-corpora]

Writes benchmarks/results/accuracy-<UTC time>.json and the accuracy section
of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
from sklearn.svm import LinearSVC

from agentroute import Agent, Example, Registry, Router, evaluate, read_labelled, tune_threshold
from agentroute.builtin import builtin_agents_dir, builtin_data_file
from agentroute.evaluation.labelled import LabelledRequest
from agentroute.evaluation.loo import held_out_variants

sys.path.insert(0, str(Path(__file__).resolve().parent))
import learning_curves  # noqa: E402 - the sibling benchmark module
import realistic  # noqa: E402 - the sibling benchmark module

HERE = Path(__file__).resolve().parent
DOCS = HERE.parent / "docs" / "benchmarks.md"
START, END = "<!-- accuracy:start -->", "<!-- accuracy:end -->"
IN_SCOPE_FLOOR = 0.93


def _rows(path: Path) -> list[LabelledRequest]:
    return read_labelled(path)


def intent_agents(rows: Sequence[LabelledRequest]) -> list[Agent]:
    by_label: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.label is not None:
            by_label[row.label].append(row.text)
    return [Agent(name=label, examples=tuple(Example(request=t) for t in texts)) for label, texts in sorted(by_label.items())]


# -- baselines -----------------------------------------------------------------------------------

class PlainTfidf:
    """TfidfVectorizer() defaults, one document per agent, cosine."""

    def __init__(self, agents: Sequence[Agent]) -> None:
        self.names = [a.name for a in agents]
        docs = [" ".join([a.name, a.description, *(e.request for e in a.examples), a.prompt]) for a in agents]
        self.vectorizer = TfidfVectorizer().fit(docs)
        self.matrix = self.vectorizer.transform(docs)

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        return linear_kernel(self.vectorizer.transform(texts), self.matrix)

    def rank(self, text: str, k: int) -> list[str]:
        s = self.scores([text])[0]
        return [self.names[i] for i in np.argsort(-s, kind="stable")[:k]]


class TfidfSvc:
    """Word 1-2 + char_wb 2-5 TF-IDF with LinearSVC on the example requests."""

    def __init__(self, agents: Sequence[Agent]) -> None:
        self.names = [a.name for a in agents]
        texts = [e.request for a in agents for e in a.examples]
        labels = [i for i, a in enumerate(agents) for _ in a.examples]
        self.word = TfidfVectorizer(ngram_range=(1, 2)).fit(texts)
        self.char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(texts)
        self.model = LinearSVC(random_state=0).fit(self._features(texts), labels)

    def _features(self, texts: Sequence[str]) -> Any:
        return hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        return self.model.decision_function(self._features(texts))


# -- intent datasets -----------------------------------------------------------------------------

def _closed_accuracy(names: list[str], scores: np.ndarray, rows: Sequence[LabelledRequest]) -> float:
    top = [names[i] for i in scores.argmax(axis=1)]
    pairs = [(t, r.label) for t, r in zip(top, rows) if r.label is not None]
    return float(np.mean([t == l for t, l in pairs]))


def _threshold_on_val(names: list[str], val_scores: np.ndarray, val: Sequence[LabelledRequest]) -> float:
    """Best out-of-scope recall with in-scope val accuracy >= IN_SCOPE_FLOOR (baselines' rule)."""
    top = val_scores.max(axis=1)
    correct = np.array([names[i] == r.label for i, r in zip(val_scores.argmax(axis=1), val)])
    in_scope = np.array([r.label is not None for r in val])
    best = (-1.0, float(top.min()))
    for t in np.unique(top):
        answered = top >= t
        if np.mean(answered[in_scope] & correct[in_scope]) >= IN_SCOPE_FLOOR:
            recall = float(np.mean(~answered[~in_scope]))
            if recall > best[0]:
                best = (recall, float(t))
    return best[1]


def _open_metrics(names: list[str], scores: np.ndarray, rows: Sequence[LabelledRequest], threshold: float) -> dict[str, float]:
    top = scores.max(axis=1)
    answered = top >= threshold
    correct = np.array([names[i] == r.label for i, r in zip(scores.argmax(axis=1), rows)])
    in_scope = np.array([r.label is not None for r in rows])
    return {"in_scope_accuracy": float(np.mean(answered[in_scope] & correct[in_scope])),
            "oos_recall": float(np.mean(~answered[~in_scope]))}


def run_intent(name: str, folder: Path) -> dict[str, Any]:
    train = _rows(folder / "train.jsonl")
    test = _rows(folder / "test.jsonl")
    val = _rows(folder / "val.jsonl") if (folder / "val.jsonl").exists() else None
    agents = intent_agents(train)
    names = [a.name for a in agents]
    record: dict[str, Any] = {"dataset": name, "agents": len(agents), "train": len(train), "test": len(test), "systems": {}}
    has_oos = any(r.label is None for r in test)

    started = time.perf_counter()
    router = Router(agents)
    fit = time.perf_counter() - started
    report = evaluate(router, test)
    ours: dict[str, Any] = {"fit_s": fit, "strategy": router.index.strategy, "accuracy": report.closed_set_accuracy,
                            "top3": report.top_k_accuracy, "macro_f1": report.macro_f1}
    if has_oos and val is not None:
        threshold = tune_threshold(router, val, min_in_scope_accuracy=IN_SCOPE_FLOOR)
        tuned = evaluate(Router(agents, threshold=threshold), test)
        ours.update(threshold=threshold, in_scope_accuracy=tuned.in_scope_accuracy, oos_recall=tuned.out_of_scope_recall,
                    auroc=tuned.auroc)
        default = evaluate(router, test)
        ours.update(default_threshold=router.effective_threshold, default_in_scope_accuracy=default.in_scope_accuracy,
                    default_oos_recall=default.out_of_scope_recall)
    record["systems"]["agentroute"] = ours

    texts = [r.text for r in test]
    for label, factory in (("plain-tfidf", PlainTfidf), ("tfidf-svc", TfidfSvc)):
        started = time.perf_counter()
        baseline = factory(agents)
        fit = time.perf_counter() - started
        scores = baseline.scores(texts)
        entry: dict[str, Any] = {"fit_s": fit, "accuracy": _closed_accuracy(names, scores, test),
                                 "top3": float(np.mean([r.label in [names[i] for i in np.argsort(-s)[:3]]
                                                        for s, r in zip(scores, test) if r.label is not None]))}
        if has_oos and val is not None:
            threshold = _threshold_on_val(names, baseline.scores([r.text for r in val]), val)
            entry.update(threshold=threshold, **_open_metrics(names, scores, test, threshold))
        record["systems"][label] = entry
    return record


# -- leave-one-out on agent collections ---------------------------------------------------------

def _loo_router(agents: list[Agent]) -> Router:
    return Router(agents, threshold=0.0, mentions=False)


def run_loo(label: str, agents: list[Agent], make_router: Callable[[list[Agent]], Router] = _loo_router,
            *, baseline: bool = True) -> dict[str, Any] | None:
    """Top-1/top-3 of each held-out example or trigger phrase (``make_router``: how agentroute is fitted)."""
    cases = [(i, variant, request) for i, a in enumerate(agents) for variant, request, _ in held_out_variants(a)]
    if not cases:
        return None
    hits = {"agentroute": [0, 0], "plain-tfidf": [0, 0]} if baseline else {"agentroute": [0, 0]}
    for position, variant, request in cases:
        pool = agents[:position] + [variant] + agents[position + 1 :]
        expected = agents[position].name
        ranked_by = {"agentroute": [r.agent.name for r in make_router(pool).rank(request, k=3)]}
        if baseline:
            ranked_by["plain-tfidf"] = PlainTfidf(pool).rank(request, 3)
        for key, ranked in ranked_by.items():
            hits[key][0] += ranked[0] == expected
            hits[key][1] += expected in ranked
    n = len(cases)
    return {"collection": label, "agents": len(agents), "cases": n,
            "systems": {k: {"top1": v[0] / n, "top3": v[1] / n} for k, v in hits.items()}}


def loo_collections(shared: Path | None) -> list[tuple[str, list[Agent]]]:
    """The built-in agents, then every collection of ``shared``/corpora (None: the built-in agents only)."""
    collections = [("built-in agents", list(Registry.from_paths([builtin_agents_dir()])))]
    if shared is not None:
        for folder in sorted(p for p in (shared / "corpora").iterdir() if p.is_dir() and not p.name.startswith("_")):
            collections.append((folder.name, list(Registry.from_paths([folder]))))
    return collections


def run_builtin_test() -> dict[str, Any]:
    registry = Registry.from_paths([builtin_agents_dir()])
    rows = read_labelled(builtin_data_file("builtin_test.jsonl"))
    report = evaluate(Router(registry), rows)
    agents = list(registry)
    plain = PlainTfidf(agents)
    in_scope = [r for r in rows if r.label is not None]
    plain_acc = _closed_accuracy([a.name for a in agents], plain.scores([r.text for r in in_scope]), in_scope)
    return {"agentroute": {"accuracy": report.accuracy, "closed_set_accuracy": report.closed_set_accuracy,
                           "in_scope_accuracy": report.in_scope_accuracy, "oos_recall": report.out_of_scope_recall,
                           "top3": report.top_k_accuracy, "auroc": report.auroc},
            "plain-tfidf": {"closed_set_accuracy": plain_acc}}


# -- report ----------------------------------------------------------------------------------------

def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def markdown(record: dict[str, Any]) -> str:
    lines = [START, "## Accuracy", "",
             f"_Generated by `python benchmarks/accuracy.py` ({record['created']}, {record['seconds']:.0f} s). "
             f"Machine: {record['machine']}. Thresholds chosen on validation data only; test data used once. "
             f"Regenerated whole: hand-written notes belong below the end marker._", ""]
    if record["datasets"]:
        lines += ["### Intent datasets (test split; accuracy = in-scope, no abstention)", "",
                  "| dataset | agents | system | accuracy % | top-3 % | fit s | threshold (from val) | in-scope acc % | oos recall % |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for d in record["datasets"]:
            for system, m in d["systems"].items():
                threshold = m.get("threshold")
                lines.append(f"| {d['dataset']} | {d['agents']} | {system} | {_pct(m['accuracy'])} | {_pct(m.get('top3'))} | "
                             f"{m['fit_s']:.1f} | {'—' if threshold is None else f'{threshold:.3f}'} | "
                             f"{_pct(m.get('in_scope_accuracy'))} | {_pct(m.get('oos_recall'))} |")
        lines.append("")
        for d in record["datasets"]:
            ours = d["systems"]["agentroute"]
            if "default_threshold" in ours:
                lines.append(f"- {d['dataset']}: with the {ours['strategy']} strategy's built-in default threshold "
                             f"({ours['default_threshold']:.2f}), in-scope accuracy {_pct(ours['default_in_scope_accuracy'])}%, "
                             f"out-of-scope recall {_pct(ours['default_oos_recall'])}%; AUROC {ours['auroc']:.3f}.")
        lines.append("")
    if record["collections"]:
        lines += ["### Agent collections: leave-one-out on example requests and trigger phrases", "",
                  "| collection | agents | cases | agentroute top-1 % | top-3 % | plain TF-IDF top-1 % | top-3 % |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for c in record["collections"]:
            o, p = c["systems"]["agentroute"], c["systems"]["plain-tfidf"]
            lines.append(f"| {c['collection']} | {c['agents']} | {c['cases']} | {_pct(o['top1'])} | {_pct(o['top3'])} | "
                         f"{_pct(p['top1'])} | {_pct(p['top3'])} |")
        lines.append("")
    if record.get("realistic"):
        lines += _realistic_lines(record["realistic"])
    if record.get("learning_curves"):
        lines += learning_curves.markdown_lines(record["learning_curves"])
    b = record["builtin_test"]
    lines += ["### Built-in agents, bundled held-out test requests (100 for an agent, 30 for none)", "",
              f"agentroute (default threshold): accuracy {_pct(b['agentroute']['accuracy'])}%, in-scope accuracy "
              f"{_pct(b['agentroute']['in_scope_accuracy'])}%, closed-set {_pct(b['agentroute']['closed_set_accuracy'])}%, "
              f"top-3 {_pct(b['agentroute']['top3'])}%, out-of-scope recall {_pct(b['agentroute']['oos_recall'])}%, "
              f"AUROC {b['agentroute']['auroc']:.3f}; plain TF-IDF closed-set {_pct(b['plain-tfidf']['closed_set_accuracy'])}%.",
              "", END]
    return "\n".join(lines)


REALISTIC_BEFORE = HERE / "results" / "realistic-before-9c37cec.json"


def _realistic_lines(now: dict[str, Any]) -> list[str]:
    before = json.loads(REALISTIC_BEFORE.read_text(encoding="utf-8")) if REALISTIC_BEFORE.exists() else {}
    lines = ["### Realistic hand-written requests (benchmarks/data; default threshold)", "",
             "Registries: " + "; ".join(f"{k} ({v} agents)" for k, v in now["registries"].items()) + ". "
             "Parameters were chosen on the dev half only; the held-out half is reported, not tuned on.", "",
             "| split | code | requests | in-scope: sensible pick % | sensible in top-3 % | out-of-scope abstained % |",
             "| --- | --- | --- | --- | --- | --- |"]
    for split in ("dev", "test"):
        label = "dev" if split == "dev" else "held-out"
        for code, data in (("before (9c37cec)", before.get(split)), ("now", now.get(split))):
            if data:
                lines.append(f"| {label} | {code} | {data['cases']} | {_pct(data['sensible_pick'])} | "
                             f"{_pct(data['sensible_top3'])} | {_pct(data['oos_abstained'])} |")
    lines.append("")
    for code, data in (("before (9c37cec)", before.get("seed")), ("now", now.get("seed"))):
        if data:
            ranks = ", ".join(str(r["rank"] or "-") for r in data["rows"])
            lines.append(f"- Seed check, {code}: backend-engineer in the top 3 for {data['in_top3']}/{data['examples']} "
                         f"held-out examples (ranks {ranks}), picked for {data['picked']}.")
    lines.append("")
    return lines


def write_section(text: str) -> None:
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    if START in current and END in current:
        current = current[: current.index(START)] + text + current[current.index(END) + len(END) :]
    else:
        current = current.rstrip() + "\n\n" + text + "\n"
    DOCS.write_text(current, encoding="utf-8")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import os

    return f"{cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--skip-datasets", action="store_true")
    parser.add_argument("--skip-corpora", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    record: dict[str, Any] = {"created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine(),
                              "datasets": [], "collections": []}
    if not args.shared.exists():
        print(f"accuracy: {args.shared} is absent: only the built-in agents are measured", file=sys.stderr)
    if args.shared.exists() and not args.skip_datasets:
        for name in ("clinc150", "banking77", "snips"):
            folder = args.shared / "datasets" / name
            if not folder.exists():
                print(f"accuracy: {folder} is absent; skipped", file=sys.stderr)
                continue
            print(f"accuracy: {name} ...", file=sys.stderr, flush=True)
            record["datasets"].append(run_intent(name, folder))
    for label, agents in loo_collections(args.shared if args.shared.exists() and not args.skip_corpora else None):
        print(f"accuracy: leave-one-out {label} ...", file=sys.stderr, flush=True)
        result = run_loo(label, agents)
        if result is not None:
            record["collections"].append(result)
    if args.shared.exists() and not args.skip_corpora:
        print("accuracy: realistic requests and seed check ...", file=sys.stderr, flush=True)
        record["realistic"] = realistic.run(args.shared)
    record["builtin_test"] = run_builtin_test()
    print("accuracy: learning curves ...", file=sys.stderr, flush=True)
    record["learning_curves"] = learning_curves.run(args.shared if args.shared.exists() and not args.skip_datasets else None,
                                                    TfidfSvc)
    record["seconds"] = time.perf_counter() - started
    out = HERE / "results" / f"accuracy-{record['created'].replace('-', '').replace(':', '')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(record, indent=2), encoding="utf-8")
    section = markdown(record)
    write_section(section)
    print(section)
    print(f"\nwrote {out} and {DOCS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
