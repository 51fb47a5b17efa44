"""Word-form folding: plural and singular forms share one feature, acronyms included.

"cves" -> "cve", "apis" -> "api", "prs" -> "pr", "queries" -> "query", "indexes" -> "index",
"patches" -> "patch", "caches" -> "cache".
Only plural (and third-person) endings are folded: derivational families
("optimize"/"optimization") are left to the prefix feature of long words, and a
fuller suffix stripper (-ing, -ed, -ation, -ment) measured worse on leave-one-out
(docs/evaluation.md). Each token is *replaced* by its folded form (the analyzers' ``word_forms``):
"CVEs" is known only as "cve". (Folded forms as extra features beside the word measured worse on
the realistic dev set: docs/evaluation.md.)
"""

from __future__ import annotations

#: A final "s" is kept after these endings (class, status)...
_KEEP_S = ("ss", "us")
#: ...and after "is" in words of five letters or more (analysis, redis), while short
#: acronyms fold (apis -> api, kpis -> kpi).
_LONG_IS = 5


#: "-es" plurals whose singular ends in x, ch, sh, ss or zz (indexes, patches, pushes, classes).
_ES_AFTER = ("xes", "ches", "shes", "sses", "zzes")
#: Words of those endings whose singular keeps its "e".
_KEEP_E = frozenset({"caches", "niches", "headaches"})


def fold(word: str) -> str:
    """The singular form of one lower-cased token, by its ending alone."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"  # queries -> query
    if word.endswith(_ES_AFTER) and len(word) > 4 and word not in _KEEP_E:
        return word[:-2]  # indexes -> index, classes -> class
    if (word.endswith("s") and len(word) >= 3 and not word.endswith(_KEEP_S)
            and not (word.endswith("is") and len(word) >= _LONG_IS)):
        return word[:-1]  # cves -> cve, prs -> pr, caches -> cache
    return word
