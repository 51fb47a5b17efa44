"""Word-form folding: inflected and derived forms of a word share one feature.

A small, ordered set of suffix rules (no dictionary, no dependency) chosen for
what routing needs:

* plurals and third persons meet their base, acronyms included ("cves" -> "cve",
  "apis" -> "api", "prs" -> "pr", "queries" -> "query", "caches" -> "cach");
* "-ing"/"-ed" forms meet their verb ("caching", "cached", "cache" -> "cach";
  "running" -> "run");
* "-ation"/"-ization"/"-ment" nouns meet their verb ("optimization", "optimize" ->
  "optimiz"; "deployment" -> "deploy"; "implementation" -> "imple").

Unlike a fixed-length prefix it never merges words that merely start alike
("production" and "product", "checkout" and "check" stay apart), and unlike Porter's
stemmer it keeps "production" away from "product". The folded form is a feature
*beside* the word itself, so an exact match still counts more than a related form.
"""

from __future__ import annotations

_VOWELS = frozenset("aeiouy")
#: Plural "s" is not stripped after these endings (class, status); nor after "is" in words of
#: five letters or more (analysis, redis), while short acronyms fold (apis -> api, kpis -> kpi).
_KEEP_S = ("ss", "us")


def _has_vowel(text: str) -> bool:
    return not _VOWELS.isdisjoint(text)


def fold(word: str) -> str:
    """The folded form of one lower-cased token (see the module docstring for the rules)."""
    w = word
    # 1. plurals and third persons
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(_KEEP_S) and len(w) >= 3 and not (w.endswith("is") and len(w) >= 5):
        w = w[:-1]
    # 2. -ing (stem of 3+ letters) and -ed (4+), undoubling a final consonant (running -> run)
    for suffix, shortest in (("ing", 3), ("ed", 4)):
        if w.endswith(suffix) and len(w) - len(suffix) >= shortest and _has_vowel(w[: -len(suffix)]):
            w = w[: -len(suffix)]
            if len(w) >= 4 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    # 3. derived nouns meet their verbs
    if w.endswith("ation") and len(w) >= 8:
        w = w[:-3]  # migration -> migrat (as migrate -> migrat below)
        if w.endswith(("izat", "isat")):
            w = w[:-2]  # optimizat -> optimiz
        elif w.endswith("mentat"):
            w = w[:-2]  # documentat -> document
    if w.endswith("ment") and len(w) >= 9:
        w = w[:-4]  # deployment -> deploy, management -> manage
    # 4. a final silent e (cache -> cach, so that caching meets it)
    if w.endswith("e") and len(w) >= 4:
        w = w[:-1]
    return w
