"""Mutation check of issue 10: apply each one-line mutant, run the tests that should kill it, restore.

    python tools/mutants.py        # prints a markdown table; every row should say "killed"
    python tools/mutants.py 42     # from mutant 42 on (the newest)

It edits files under src/ in place (and always writes the original back), so run it
in a checkout where nothing else is running tests at the same time.
"""
import subprocess, sys, os, pathlib
ROOT = pathlib.Path(__file__).resolve().parents[1]
S = "src/agentroute/"
M = [
 ("zero-score abstention, scalar", S+"routing/rule.py", "if score < self.threshold or score <= 0.0:", "if score < self.threshold:", "tests/test_guards.py tests/test_rule.py"),
 ("zero-score abstention at threshold 0, batch", S+"routing/rule.py", "reasons[(found.score < self.threshold) | (found.score <= 0.0)] = _BELOW_THRESHOLD", "reasons[(found.score < self.threshold)] = _BELOW_THRESHOLD", "tests/test_guards.py tests/test_rule.py"),
 ("exact threshold answers, scalar", S+"routing/rule.py", "if score < self.threshold or", "if score <= self.threshold or", "tests/test_rule.py"),
 ("exact threshold answers, batch", S+"routing/rule.py", "reasons[(found.score < self.threshold)", "reasons[(found.score <= self.threshold)", "tests/test_rule.py"),
 ("exact margin answers, scalar", S+"routing/rule.py", "if score - second < self.margin:", "if score - second <= self.margin:", "tests/test_rule.py"),
 ("exact margin answers, batch", S+"routing/rule.py", "reasons[found.score - found.second < self.margin] = _BELOW_MARGIN", "reasons[found.score - found.second <= self.margin] = _BELOW_MARGIN", "tests/test_rule.py"),
 ("no-term rows abstain, batch", S+"routing/rule.py", "reasons[found.known == 0] = _NO_TERMS", "pass", "tests/test_rule.py"),
 ("mentions=False ignored, batch", S+"routing/rule.py", "        if self.mentions:\n            reasons[found.named >= 0] = _MENTION", "        if True:\n            reasons[found.named >= 0] = _MENTION", "tests/test_rule.py"),
 ("n_jobs silently serial", S+"routing/batch.py", "if n_jobs is None or n_jobs == 1 or len(texts) < PARALLEL_MIN_ROWS:", "if True:", "tests/test_guards.py"),
 ("n_jobs ignored by Parallel", S+"routing/batch.py", "Parallel(n_jobs=n_jobs)(", "Parallel(n_jobs=1)(", "tests/test_guards.py"),
 ("save without temp file", S+"routing/persist.py", 'temp_name = target.parent / f".{target.name}.{secrets.token_hex(8)}.tmp"', "temp_name = target", "tests/test_guards.py tests/test_persist.py"),
 ("save without cleanup", S+"routing/persist.py", "temp_name.unlink(missing_ok=True)", "pass", "tests/test_guards.py tests/test_persist.py"),
 ("save without fsync", S+"routing/persist.py", "os.fsync(stream.fileno())", "pass", "tests/test_guards.py tests/test_persist.py"),
 ("tuning without the 0.0 candidate", S+"evaluation/metrics.py", "np.concatenate([[0.0], found.score, np.nextafter(found.score, 2)])", "np.concatenate([found.score, np.nextafter(found.score, 2)])", "tests/test_rule.py tests/test_evaluation.py"),
 ("tuning ignores the margin", S+"evaluation/metrics.py", "correct = _predicted(state.rule.at(float(threshold)), found, names) == labels", "correct = _predicted(PickRule(float(threshold)), found, names) == labels", "tests/test_rule.py tests/test_evaluation.py"),
 ("coverage curve ignores the margin", S+"evaluation/metrics.py", "predicted = _predicted(rule.at(float(threshold)), found, names)", "predicted = _predicted(PickRule(float(threshold)), found, names)", "tests/test_rule.py tests/test_evaluation.py"),
 ("mention starting a later batch row", S+"routing/mentions.py", "for row in {bisect_right(ends, at) for at in cues}:", "for row in {bisect_left(ends, at) for at in cues}:", "tests/test_guards.py"),
 ("stop word with a feature prefix, batch", S+"features/word_tables.py", "if len(token) >= self._min_len and token not in self._stop_words:", "if len(token) >= self._min_len:", "tests/test_guards.py"),
 ("word table growth not empty", S+"features/word_tables.py", "self.columns = [np.concatenate([c, np.full(len(c), -1, dtype=np.int64)]) for c in self.columns]", "self.columns = [np.concatenate([c, np.zeros(len(c), dtype=np.int64)]) for c in self.columns]", "tests/test_guards.py"),
 ("word table reset keeps old ids", S+"features/word_tables.py", "                column[:] = -1", "                pass", "tests/test_guards.py"),
 ("sparse fallback wrong", S+"routing/scoring.py", "BATCH_DENSE_BYTES:\n            return np.asarray((queries @ csr).toarray(), dtype=np.float64)", "BATCH_DENSE_BYTES:\n            return np.zeros((queries.shape[0], self.n_agents))", "tests/test_guards.py"),
 ("sparse product for short postings wrong", S+"routing/scoring.py", "self.n_agents:\n            return np.asarray((queries @ csr).toarray(), dtype=np.float64)", "self.n_agents:\n            return np.zeros((queries.shape[0], self.n_agents))", "tests/test_guards.py"),
 ("assigned field_weights not refitted", S+"routing/router.py", "if (new.fitted_field_weights, new.strategy) != (old.fitted_field_weights, old.strategy):", "if False:", "tests/test_params.py"),
 ("assignment not checked", S+"routing/params.py", "        return dataclasses.replace(self, **changes)", "        new = object.__new__(RouterParams); new.__dict__.update({**self.__dict__, **changes}); return new", "tests/test_params.py"),
 ("loo drops the router's parameters", S+"evaluation/loo.py", 'return Router(agents, **{**params, "threshold": 0.0, "mentions": False})', 'return Router(agents, **{"threshold": 0.0, "mentions": False})', "tests/test_params.py tests/test_evaluation.py"),
 ("lint refit drops the router's parameters", S+"lint/routing_checks.py", "return rebuild(router.get_params(), agents).snapshot().index.scores(text)[0]", "return rebuild({}, agents).snapshot().index.scores(text)[0]", "tests/test_params.py tests/test_lint.py"),
 ("lint falls back to AR109 for every code", S+"lint/checks.py", 'return d.code if d.code is not None and d.code in CODES else "AR109"', 'return "AR109"', "tests/test_diagnostic_codes.py tests/test_lint.py"),
 ("a diagnostic created without its code", S+"sources/lenient.py", 'line=again, field=key, fix=f"delete one of the two {key!r} lines", code="AR105")', 'line=again, field=key, fix=f"delete one of the two {key!r} lines")', "tests/test_diagnostic_codes.py tests/test_lint.py"),
 ("explain verdict from another rule", S+"routing/explain.py", "agent, score, reason = state.rule.decide(scores, known, named, score_of)", "agent, score, reason = state.rule.at(0.0).decide(scores, known, named, score_of)", "tests/test_rule.py tests/test_explain.py"),
 # issue 11, stop 16: the learned path's serving
 ("runner-up left unmapped by the logistic", S+"routing/rule.py", "            if score_of is not None:\n                second = score_of(second)\n", "", "tests/test_rule.py"),
 ("unknown word pairs kept as a feature", S+"features/block.py", "            found.discard(None)  # type: ignore[arg-type]", "            pass", "tests/test_features.py"),
 ("score_parts splits the postings at the wrong place", S+"routing/scoring.py", "agents[int(ends[split - 1]) if split else 0 :] += self.n_agents", "agents[split:] += self.n_agents", "tests/test_features.py"),
 ("binary blocks' offsets not added", S+"features/space.py", "                if weight and offset:  # only these blocks gave local ids", "                if False:", "tests/test_features.py"),
 ("blend logistic at twice the slope", S+"routing/index.py", 'slope = np.float32(0.5 * float(self.extra["logistic_scale"]))', 'slope = np.float32(float(self.extra["logistic_scale"]))', "tests/test_blend.py"),
 ("eval leaves plugin labels unresolved", S+"cli/measure.py", "rows = resolve_labels(read_labelled(data), names)", "rows = read_labelled(data)", "tests/test_cli.py"),
 # issue 11, second pass: word-sum character blocks, the dense path, batch pairs, the file format
 ("a repeated word counted twice when served", S+"routing/word_sums.py", "found = list(map(table.__getitem__, set(lowered.split())))", "found = list(map(table.__getitem__, lowered.split()))", "tests/test_word_sums.py"),
 ("word-sum scale from the l2 norm", S+"features/block.py", "row_totals(matrix.indptr, matrix.data * idf**2)", "row_totals(matrix.indptr, matrix.data**2 * idf**2)", "tests/test_word_sums.py"),
 ("dense path drops a learned block's offset", S+"routing/dense_path.py", "            if block.offset:\n                ids += block.offset", "            if False:\n                ids += block.offset", "tests/test_dense_path.py"),
 ("batch pair keys in the wrong order", S+"features/joined_batch.py", "keys.append((number(first) << 32) | number(second))", "keys.append((number(second) << 32) | number(first))", "tests/test_features.py"),
 ("word-sum files written as format 1", S+"routing/persist.py", "else 2 if any(s.word_sum for s in specs) else 1", "else 1", "tests/test_persist.py"),
 ("a word's row leaves out its first n-gram", S+"routing/word_sums.py", "            return np.add.reduce(rows, axis=0), float(len(ids))", "            return np.add.reduce(rows[1:], axis=0), float(len(ids))", "tests/test_word_sums.py"),
 # issue 11, third pass: the batch path
 ("distinct keys keep repeats", S+"features/sorted_keys.py", "    return ordered[_starts(ordered)]", "    return ordered", "tests/test_sorted_keys.py tests/test_word_sums.py"),
 ("distinct counts off by one", S+"features/sorted_keys.py", "np.diff(starts, append=len(ordered))", "np.diff(starts, append=len(ordered) + 1)", "tests/test_sorted_keys.py tests/test_features.py"),
 ("hash table stops one probe early", S+"features/int_lookup.py", "            self._probes += bool(len(pending))", "            pass", "tests/test_int_lookup.py"),
 ("hash table probes run off the table's end", S+"features/int_lookup.py", "at, wanted, slots = at[go_on], wanted[go_on], (slots[go_on] + 1) & self._mask", "at, wanted, slots = at[go_on], wanted[go_on], np.minimum(slots[go_on] + 1, self._mask)", "tests/test_int_lookup.py"),
 ("word-sum break is a word", S+"routing/word_sums.py", "        self[BREAK] = -1", "        pass", "tests/test_word_sums.py"),
 ("single word-sum score reads the break row", S+"routing/word_sums.py", "        if BREAK in lowered:\n            return self._direct(text)\n", "", "tests/test_word_sums.py"),
 ("batch routes call a mention a score", S+"routing/route.py", 'fields["reason"] = "mention" if a == n else "score"', 'fields["reason"] = "score"', "tests/test_router.py"),
 ("batches leave the collector off", S+"routing/route.py", "        if paused:\n            gc.enable()", "        pass", "tests/test_router.py"),
 ("batch picks map the best value only", S+"routing/rule.py", "        if score_of is not None:\n            runner_up = score_of(runner_up)\n", "", "tests/test_rule.py"),
 ("blended batch split puts a column on the wrong side", S+"features/csr.py", "    left = matrix.indices < at", "    left = matrix.indices <= at", "tests/test_blend.py tests/test_csr.py"),
 ("side by side loses a block's offset", S+"features/space.py", "return csr_matrix((only.data, only.indices + offset, only.indptr), shape=(rows, sum(widths)))", "return csr_matrix((only.data, only.indices, only.indptr), shape=(rows, sum(widths)))", "tests/test_blend.py tests/test_features.py"),
 # issue 11, fourth pass: first-sight words, shared CSR bookkeeping
 ("a short word's char n-grams dropped", S+"features/analyzers.py", "            cuts.append(slice(0, size))\n            break", "            break", "tests/test_features.py"),
 ("long words cut as short ones", S+"features/analyzers.py", "if size <= _KEPT_SIZES else _cuts(size, min_n, max_n)", "if size <= _KEPT_SIZES else _kept_cuts(min(size, _KEPT_SIZES), min_n, max_n)", "tests/test_features.py"),
 ("word sums without IDF count one n-gram too many", S+"routing/word_sums.py", "float(len(ids))", "float(len(ids) + 1)", "tests/test_word_sums.py"),
 ("row pointers shifted by one row", S+"features/csr.py", "out=indptr[1:]", "out=indptr[:-1]", "tests/test_csr.py tests/test_persist.py"),
 ("row totals of the wrong rows", S+"features/csr.py", "return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))", "return np.repeat(np.arange(len(indptr) - 1)[::-1], np.diff(indptr))", "tests/test_csr.py tests/test_features.py"),
 ("warming skips the agents' own words", S+"routing/index.py", "self.word_sums.warm(words + self.word_sums.units(texts))", "self.word_sums.warm(words)", "tests/test_word_sums.py"),
 ("units keep a word twice", S+"routing/word_sums.py", "found.update(dict.fromkeys(lowered.split()))", "found.update({w + str(len(found)): None for w in lowered.split()})", "tests/test_word_sums.py"),
 # stop 20: auto fits linear where authored text would barely count
 ("auto's linear line judged by the mean agent", S+"routing/plan.py", "float(1.0 - evidence_weights(agents).min())", "float(1.0 - evidence_weights(agents).mean())", "tests/test_plan.py"),
 ("auto's linear line one side too far", S+"routing/plan.py", "profile_share <= LINEAR_PROFILE_SHARE else", "profile_share <= 2 * LINEAR_PROFILE_SHARE else", "tests/test_plan.py"),
 ("cached word forms keep a stop word", S+"features/analyzers.py", "return [f for f in map(self._forms.__getitem__, self.tokens(text)) if f not in stop]", "return list(map(self._forms.__getitem__, self.tokens(text)))", "tests/test_analyzers.py"),
 ("cached word forms never start afresh", S+"features/word_tables.py", "        if len(self) >= UNIT_CACHE_LIMIT:\n            self.clear()", "        if False:\n            self.clear()", "tests/test_analyzers.py"),
 ("long postings copied without their weights' feature values", S+"routing/scoring.py", "np.concatenate([self.data[cut] for cut in cuts]) * np.repeat(values, lengths)", "np.concatenate([self.data[cut] for cut in cuts])", "tests/test_features.py"),
 ("long postings copied one short", S+"routing/scoring.py", "cuts = [slice(a, b) for a, b in zip(starts.tolist(), (starts + lengths).tolist())]", "cuts = [slice(a, b - 1) for a, b in zip(starts.tolist(), (starts + lengths).tolist())]", "tests/test_features.py"),
 ("batch pairs of raw tokens under word forms", S+"features/joined_batch.py", "words = units if units_of.form_of is None else units_of.form_of[units]", "words = units", "tests/test_features.py"),
 ("batch form numbers of raw tokens", S+"features/word_tables.py", "self.form_of[unit] = self.form_number(self._form(token))", "self.form_of[unit] = self.form_number(token)", "tests/test_features.py"),
 ("list --json says linear examples carry nothing", S+"cli/main.py", "[1.0 if strategy == \"linear\" else 0.0]", "[0.0]", "tests/test_cli.py"),
 ("compiled kernels score a part from the first feature's postings", S+"routing/scoring.py", "product(self.n_agents, last - first, bounds[first:], agents", "product(self.n_agents, last - first, bounds, agents", "tests/test_features.py"),
 ("compiled kernels used without checking what they compute", S+"routing/scoring.py", "_KERNELS = found if _kernels_work(*found) else False", "_KERNELS = found", "tests/test_features.py"),
 ("compiled gather without its weights' feature values", S+"routing/scoring.py", "np.asarray(values[first:last], dtype=np.float64),", "np.ones(last - first),", "tests/test_features.py"),
 ("sampled SVMs with balanced class weights again", S+"routing/ovr.py", "SAMPLED_CLASS_WEIGHT: str | None = None", 'SAMPLED_CLASS_WEIGHT: str | None = "balanced"', "tests/test_linear.py"),
 ("'go' a stop word again", S+"routing/profile.py", '"back bill bottom call down empty fire front full go side top"', '"back bill bottom call down empty fire front full side top"', "tests/test_request_evidence.py"),
 ("a clash within one folder not kept as shadowed", S+"registry.py", "            shadowed.append((agent, first))\n", "", "tests/test_user_messages.py"),
]
env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
print("| # | mutant | file | tests run | result |\n|---|---|---|---|---|")
survivors = 0
first = int(sys.argv[1]) if len(sys.argv) > 1 else 1
for n, (name, path, old, new, tests) in enumerate(M, 1):
    if n < first:
        continue
    file = ROOT / path
    text = file.read_text()
    assert text.count(old) == 1, (name, text.count(old))
    try:
        file.write_text(text.replace(old, new))
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests.split()],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    finally:
        file.write_text(text)
    killed = done.returncode != 0
    survivors += not killed
    failed = next((l.split(" ")[1] for l in done.stdout.splitlines() if l.startswith("FAILED")), "")
    print(f"| {n} | {name} | {path.removeprefix(S)} | {tests} | {'killed' if killed else '**SURVIVED**'} {failed} |", flush=True)
print(f"\n{len(M) - first + 1 - survivors} of {len(M) - first + 1} killed")
