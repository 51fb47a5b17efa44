"""Learning curves of the blended strategy (issue 12): accuracy as learned examples are added.

* **CLINC150**: each intent is an agent whose only authored text is its name; k = 1, 2, 5, 10,
  20, 50 and all training examples per intent (a seeded sample) are its learned examples
  (``Example.learned``, as a learned-examples file adds them). Four
  systems on the same agents, scored on the test split's in-scope requests (closed set, no
  abstention): profile only, the ``tfidf-svc`` baseline (word 1-2 + char_wb 2-5 TF-IDF LinearSVC
  on the examples), the linear strategy (examples only) and ``strategy="auto"`` (blended).
* **Built-in agents**: k = 0, 1, 2, 5 requests per agent from the bundled dev file
  (``builtin_dev.jsonl``, a seeded sample) added to each agent's examples as learned ones; ``Router(agents)``
  (auto) scored on the bundled test file (accuracy with "none" as a class, and closed set).

The blend's parameters were chosen on CLINC150's validation split, a seeded BANKING77 training
carve-out, halves of the built-in dev file and synthetic agents; never on these test splits.
Called by ``benchmarks/accuracy.py``; ``python benchmarks/learning_curves.py`` runs it alone.

``python benchmarks/learning_curves.py --dev-halves`` prints the curve parameters are chosen on
(issue 12's blended threshold and vouching rule were): the bundled dev file split in halves per
label (seeded), k = 0, 1, 2, 4 requests per agent learned from one half, the other half (with its
out-of-scope rows) scored, both ways, 8 seeds; the bundled test file is not read.
``--dev-halves --components`` prints, on the same splits, where that accuracy comes from (which
scorer ranks the right agent first, and the best accuracy any threshold could give): the
diagnosis in docs/learning.md.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from collections import defaultdict
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from agentroute import Agent, Example, Registry, Router, evaluate, read_labelled
from agentroute.builtin import builtin_agents_dir, builtin_data_file
from agentroute.evaluation.labelled import LabelledRequest

CLINC_KS = (1, 2, 5, 10, 20, 50, 0)  # 0: every example
BUILTIN_KS = (0, 1, 2, 5)
SEED = 0


def _sample(texts: Sequence[str], k: int, rng: np.random.Generator) -> list[str]:
    if k == 0 or k >= len(texts):
        return list(texts)
    return [texts[i] for i in sorted(rng.choice(len(texts), size=k, replace=False))]


def clinc_curve(folder: Path, baseline: Any) -> list[dict[str, Any]]:
    """One row per k: closed-set accuracy (%) of profile, tfidf-svc, linear and auto (stored as "blended":
    auto fits the blend, or linear where the intent name would carry under 5% of a score, routing/plan.py)."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for row in read_labelled(folder / "train.jsonl"):
        if row.label is not None:
            by_label[row.label].append(row.text)
    test = [r for r in read_labelled(folder / "test.jsonl") if r.label is not None]
    rows = []
    for k in CLINC_KS:
        rng = np.random.default_rng(SEED)
        agents = [Agent(name=label, examples=tuple(Example(request=t, learned=True) for t in _sample(texts, k, rng)))
                  for label, texts in sorted(by_label.items())]
        row: dict[str, Any] = {"k": k or "all"}
        for system, strategy in (("profile", "profile"), ("linear", "linear"), ("blended", "auto")):
            started = time.perf_counter()
            router = Router(agents, strategy=strategy)  # type: ignore[arg-type]
            row[f"{system}_fit_s"] = time.perf_counter() - started
            row[system] = evaluate(router, test).closed_set_accuracy
            if system == "blended":
                row["blended_fitted"] = router.fitted_strategy
        svc = baseline(agents)
        names = [a.name for a in agents]
        top = svc.scores([r.text for r in test]).argmax(axis=1)
        row["tfidf-svc"] = float(np.mean([names[i] == r.label for i, r in zip(top, test)]))
        row["pass"] = row["blended"] >= max(row["profile"], row["tfidf-svc"], row["linear"])
        print(f"learning curve clinc150 k={row['k']}: " + ", ".join(
            f"{s} {100 * row[s]:.2f}" for s in ("profile", "tfidf-svc", "linear", "blended")), file=sys.stderr, flush=True)
        rows.append(row)
    return rows


def builtin_curve() -> list[dict[str, Any]]:
    """One row per k: the built-in agents with k dev requests each, scored on the bundled test file."""
    registry = list(Registry.from_paths([builtin_agents_dir()]))
    dev: dict[str, list[str]] = defaultdict(list)
    for row in read_labelled(builtin_data_file("builtin_dev.jsonl")):
        if row.label is not None:
            dev[row.label].append(row.text)
    test: list[LabelledRequest] = read_labelled(builtin_data_file("builtin_test.jsonl"))
    rows = []
    for k in BUILTIN_KS:
        rng = np.random.default_rng(SEED)
        agents = _with_examples(registry, {a.name: _sample(dev[a.name], k, rng) for a in registry} if k else {})
        router = Router(agents)
        report = evaluate(router, test)
        # Measured beside it, not used to choose anything: the same agents scored by profiles alone
        # (the learned requests then count only as text in each profile's examples field).
        profile = evaluate(Router(agents, strategy="profile"), test)
        rows.append({"k": k, "fitted": router.fitted_strategy, "accuracy": report.accuracy,
                     "profile_accuracy": profile.accuracy, "profile_closed_set_accuracy": profile.closed_set_accuracy,
                     "closed_set_accuracy": report.closed_set_accuracy, "in_scope_accuracy": report.in_scope_accuracy,
                     "oos_recall": report.out_of_scope_recall})
        print(f"learning curve built-in k={k}: {router.fitted_strategy}, accuracy {100 * report.accuracy:.1f}, "
              f"closed-set {100 * report.closed_set_accuracy:.1f}", file=sys.stderr, flush=True)
    return rows


def _with_examples(registry: Sequence[Agent], extra: dict[str, list[str]]) -> list[Agent]:
    """The agents with ``extra`` requests added as learned examples, as a learned-examples file adds them."""
    return [replace(a, examples=a.examples + tuple(Example(request=t, learned=True) for t in extra.get(a.name, ())))
            for a in registry]


def dev_halves_curve(ks: Sequence[int] = (0, 1, 2, 4), seeds: int = 8) -> dict[str, Any]:
    """Mean accuracy, in-scope accuracy and out-of-scope recall (%) per k over 2 x ``seeds`` dev-half splits."""
    registry = list(Registry.from_paths([builtin_agents_dir()]))
    by_label: dict[str | None, list[LabelledRequest]] = defaultdict(list)
    for row in read_labelled(builtin_data_file("builtin_dev.jsonl")):
        by_label[row.label].append(row)
    runs = []
    for seed in range(seeds):
        for learn, held in _split_halves(seed, by_label):
            pool = _pool_of(learn)
            run = []
            for k in ks:
                pick = np.random.default_rng(seed)
                extra = {name: _sample(texts, k, pick) for name, texts in pool.items()} if k else {}
                report = evaluate(Router(_with_examples(registry, extra)), held)
                run.append((report.accuracy, report.in_scope_accuracy, report.out_of_scope_recall))
            runs.append(run)
    mean = 100 * np.mean(np.array(runs, dtype=np.float64), axis=0)
    return {"ks": list(ks), "splits": len(runs), "accuracy": mean[:, 0].tolist(), "in_scope": mean[:, 1].tolist(),
            "oos_recall": mean[:, 2].tolist()}


Halves = tuple[list[LabelledRequest], list[LabelledRequest]]


def _pool_of(rows: Sequence[LabelledRequest]) -> dict[str, list[str]]:
    """The learned requests of ``rows`` by agent (out-of-scope rows teach nothing)."""
    pool: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.label is not None:
            pool[row.label].append(row.text)
    return pool


def _split_halves(seed: int, by_label: dict[str | None, list[LabelledRequest]]) -> tuple[Halves, Halves]:
    """Both (learn, held) pairs of one seeded per-label split of the dev rows in halves."""
    rng = np.random.default_rng(seed)
    halves: Halves = ([], [])
    for label in sorted(by_label, key=str):
        rows, order = by_label[label], rng.permutation(len(by_label[label]))
        halves[0].extend(rows[i] for i in order[: len(rows) // 2])
        halves[1].extend(rows[i] for i in order[len(rows) // 2 :])
    return (halves, halves[::-1])


def _learned_part(index: Any, texts: Sequence[str]) -> np.ndarray:
    """The blended index's learned part alone (SVM decision values), as ``Index.score_many`` splits it."""
    queries = index.space.transform(texts)
    queries.data[queries.indices < index.extra["learned_offset"]] = 0.0
    queries.eliminate_zeros()
    return index.weights.score_many(queries) + index.bias


def _nearest_learned(pool: dict[str, list[str]], texts: Sequence[str]) -> list[str | None]:
    """The agent of each text's most similar learned request (TF-IDF cosine, scikit-learn); None
    when it shares no word with any of them."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    learned = [(name, text) for name, rows in pool.items() for text in rows]
    vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english")
    similar = (vectorizer.fit_transform([t for _, t in learned]) @ vectorizer.transform(texts).T).toarray()
    return [learned[i][0] if similar[i, j] > 0 else None for j, i in enumerate(similar.argmax(axis=0))]


def dev_halves_components(ks: Sequence[int] = (0, 1, 2, 4), seeds: int = 8) -> dict[str, Any]:
    """Where the built-in curve's accuracy comes from, on the dev halves of :func:`dev_halves_curve`.

    Per k (mean %, 2 x ``seeds`` splits): the blended router's accuracy, and its best accuracy over
    thresholds chosen on the scored half itself (no threshold rule can do better); how often the right
    agent ranks first (in-scope rows, no abstention) by the blended scores, by the profile with the
    learned requests, by the profile without them, by the learned part (SVM) alone, and by the nearest
    learned request. The bundled test file is not read.
    """
    from agentroute.routing.rule import PickRule

    registry = list(Registry.from_paths([builtin_agents_dir()]))
    names = [a.name for a in registry]
    by_label: dict[str | None, list[LabelledRequest]] = defaultdict(list)
    for row in read_labelled(builtin_data_file("builtin_dev.jsonl")):
        by_label[row.label].append(row)
    keys = ("accuracy", "best_threshold_accuracy", "blended_top1", "profile_top1", "profile_without_learned_top1",
            "learned_part_top1", "nearest_learned_top1")
    runs: dict[str, list[list[float]]] = {key: [] for key in keys}
    thresholds = np.linspace(0.0, 0.2, 81)
    for seed in range(seeds):
        for learn, held in _split_halves(seed, by_label):
            pool = _pool_of(learn)
            texts = [r.text for r in held]
            truth = np.array([names.index(r.label) if r.label is not None else -1 for r in held])
            scope = truth >= 0
            bare = Router(registry, strategy="profile").index.score_many(texts)[0].argmax(axis=1)
            run: dict[str, list[float]] = {key: [] for key in keys}
            for k in ks:
                pick = np.random.default_rng(seed)
                extra = {name: _sample(rows, k, pick) for name, rows in pool.items()} if k else {}
                agents = _with_examples(registry, extra)
                router = Router(agents)
                found = router.snapshot().evidence_many(texts)
                rule = PickRule(router.index.default_threshold)
                accuracy = [np.mean(rule.at(t).decide_many(found).agents == truth)
                            for t in np.append(thresholds, rule.threshold)]  # the default is one of them
                run["accuracy"].append(float(np.mean(rule.decide_many(found).agents == truth)))
                run["best_threshold_accuracy"].append(float(max(accuracy)))
                profile = Router(agents, strategy="profile").index.score_many(texts)[0].argmax(axis=1)
                learned = _learned_part(router.index, texts).argmax(axis=1)
                nearest = np.array([-2 if n is None else names.index(n) for n in _nearest_learned(extra, texts)] if k else [])
                for key, top in (("blended_top1", router.index.score_many(texts)[0].argmax(axis=1)),
                                 ("profile_top1", profile), ("profile_without_learned_top1", bare),
                                 ("learned_part_top1", learned), ("nearest_learned_top1", nearest)):
                    run[key].append(float(np.mean(top[scope] == truth[scope])) if key != "nearest_learned_top1" or k
                                    else float("nan"))
            for key in keys:
                runs[key].append(run[key])
    return {"ks": list(ks), "splits": len(runs["accuracy"]),
            **{key: (100 * np.mean(np.array(v), axis=0)).tolist() for key, v in runs.items()}}


def markdown_lines(curves: dict[str, Any]) -> list[str]:
    lines = ["### Learning curves: authored text blended with learned examples", "",
             "Blend parameters chosen on CLINC150 validation, a BANKING77 training carve-out, halves of the built-in "
             "dev file and synthetic agents, never on these test splits.", ""]
    if curves.get("clinc150"):
        lines += ["CLINC150 test, in-scope closed-set accuracy %; the intent name is the only authored text; k learned "
                  "examples per intent (seeded sample).", "",
                  "| k | profile | tfidf-svc (LinearSVC word+char) | linear strategy | `Router(agents)` (auto: what it fitted) "
                  "| auto ≥ all three |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for r in curves["clinc150"]:
            lines.append(f"| {r['k']} | {100 * r['profile']:.2f} | {100 * r['tfidf-svc']:.2f} | {100 * r['linear']:.2f} | "
                         f"{100 * r['blended']:.2f} ({r.get('blended_fitted', 'blended')}) | {'yes' if r['pass'] else 'no'} |")
        lines.append("")
    lines += ["Built-in agents, bundled test file; k requests per agent from the bundled dev file added as learned examples; "
              "`Router(agents)` (auto).", "",
              "| k | fitted | accuracy % (none is a class) | closed-set % | in-scope % | out-of-scope recall % | "
              "profile only: accuracy % | closed-set % |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in curves["builtin"]:
        lines.append(f"| {r['k']} | {r['fitted']} | {100 * r['accuracy']:.1f} | {100 * r['closed_set_accuracy']:.1f} | "
                     f"{100 * r['in_scope_accuracy']:.1f} | {100 * r['oos_recall']:.1f} | "
                     f"{100 * r['profile_accuracy']:.1f} | {100 * r['profile_closed_set_accuracy']:.1f} |")
    lines.append("")
    return lines


def run(shared: Path | None, baseline: Any) -> dict[str, Any]:
    folder = shared / "datasets" / "clinc150" if shared is not None else None
    curves: dict[str, Any] = {"builtin": builtin_curve()}
    if folder is not None and folder.exists():
        curves["clinc150"] = clinc_curve(folder, baseline)
    else:
        print("learning curves: CLINC150 absent; only the built-in curve", file=sys.stderr)
    return curves


if __name__ == "__main__":
    if sys.argv[1:] == ["--dev-halves", "--components"]:
        parts = dev_halves_components()
        print(f"built-in dev halves ({parts['splits']} splits), k = {parts['ks']}, mean %")
        for key, value in parts.items():
            if key not in ("ks", "splits"):
                print(f"  {key:30s} " + " / ".join("-" if np.isnan(x) else f"{x:.1f}" for x in value))
        sys.exit(0)
    if sys.argv[1:] == ["--dev-halves"]:
        halves = dev_halves_curve()
        print(f"built-in dev halves ({halves['splits']} splits), k = {halves['ks']}")
        for key in ("accuracy", "in_scope", "oos_recall"):
            print(f"  {key:10s} " + " / ".join(f"{x:.1f}" for x in halves[key]))
        sys.exit(0)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from accuracy import TfidfSvc

    here = Path(__file__).resolve().parent
    result = run(here.parent.parent / "shared", TfidfSvc)
    print("\n".join(markdown_lines(result)))
