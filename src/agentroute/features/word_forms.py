"""Word-form folding: plural and singular forms share one feature, acronyms included.

"cves" -> "cve", "apis" -> "api", "prs" -> "pr", "queries" -> "query", "caches" -> "cache".
Only plural (and third-person) endings are folded: derivational families
("optimize"/"optimization") are left to the prefix feature of long words, and a
fuller suffix stripper (-ing, -ed, -ation, -ment) measured worse on leave-one-out
(docs/evaluation.md). The folded form is a feature *beside* the word itself, so an
exact match still counts more than a related form.
"""

from __future__ import annotations

#: A final "s" is kept after these endings (class, status)...
_KEEP_S = ("ss", "us")
#: ...and after "is" in words of five letters or more (analysis, redis), while short
#: acronyms fold (apis -> api, kpis -> kpi).
_LONG_IS = 5


def fold(word: str) -> str:
    """The singular form of one lower-cased token, by its ending alone."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"  # queries -> query
    if word.endswith("sses"):
        return word[:-2]  # classes -> class
    if (word.endswith("s") and len(word) >= 3 and not word.endswith(_KEEP_S)
            and not (word.endswith("is") and len(word) >= _LONG_IS)):
        return word[:-1]  # cves -> cve, prs -> pr, caches -> cache
    return word
