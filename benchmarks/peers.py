"""Optional peers and parallel back ends for the latency suite: bm25s, semantic-router, joblib/Dask.

Each function returns a dict of measurements, or ``{"skipped": reason}`` when
its package is not installed or fails; the suite records the reason and the
report prints it. Nothing here is part of the agentroute package.
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from agentroute import Agent, Router
from agentroute.evaluation.bench import agent_document, time_batch, time_calls

Result = dict[str, Any]

#: semantic-router's local index holds dense vectors: skip it when agents × features exceed this.
SEMANTIC_ROUTER_MAX_CELLS = 30_000_000


def bm25s_peer(agents: Sequence[Agent], requests: Sequence[str], batch: Sequence[str]) -> Result:
    """bm25s (BM25, sparse scipy scoring): per request ``tokenize`` + ``retrieve(k=1)``, and the batch form."""
    try:
        import bm25s
    except ImportError:
        return {"skipped": "bm25s not installed (pip install bm25s)"}
    start = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize([agent_document(a) for a in agents], stopwords="en", show_progress=False),
                    show_progress=False)
    fit_seconds = time.perf_counter() - start

    def pick(text: str) -> int:
        tokens = bm25s.tokenize([text], stopwords="en", show_progress=False)
        return int(retriever.retrieve(tokens, k=1, show_progress=False, n_threads=1).documents[0, 0])

    def pick_many(texts: Sequence[str]) -> np.ndarray:
        tokens = bm25s.tokenize(list(texts), stopwords="en", show_progress=False)
        return retriever.retrieve(tokens, k=1, show_progress=False, n_threads=1).documents[:, 0]

    return {"version": bm25s.__version__, "fit_seconds": fit_seconds,
            "pick": time_calls(pick, requests, warmup=50, max_calls=2_000, max_seconds=6.0),
            "batch": time_batch(pick_many, batch, repeat=2)}


def semantic_router_peer(agents: Sequence[Agent], requests: Sequence[str]) -> Result:
    """semantic-router's ``IndexedRouter`` + local index, with a TF-IDF dense encoder (no network, no model).

    semantic-router ships no offline dense encoder, so a scikit-learn
    ``TfidfVectorizer`` fitted on the agents' texts plays the encoder; what
    this measures is the framework's per-call path (event loop hop, thread
    hop, dense index query, route scoring) around the same kind of vectors.
    """
    try:
        import semantic_router
        from semantic_router.encoders import DenseEncoder
        from semantic_router.route import Route as SRRoute
        from semantic_router.routers import IndexedRouter
    except Exception as error:  # noqa: BLE001 - a broken optional install is a skip, not a crash
        return {"skipped": f"semantic-router not importable ({type(error).__name__}: {error}); pip install semantic-router"}
    from sklearn.feature_extraction.text import TfidfVectorizer

    documents = [agent_document(a) for a in agents]
    vectorizer = TfidfVectorizer(sublinear_tf=True).fit(documents)
    cells = len(agents) * len(vectorizer.vocabulary_)
    if cells > SEMANTIC_ROUTER_MAX_CELLS:
        return {"skipped": f"{len(agents)} agents x {len(vectorizer.vocabulary_)} features as dense vectors "
                           f"exceed {SEMANTIC_ROUTER_MAX_CELLS:,} cells (its local index is dense)"}

    class TfidfDense(DenseEncoder):  # type: ignore[misc]
        def __call__(self, docs: list[Any]) -> list[list[float]]:
            return vectorizer.transform([str(d) for d in docs]).toarray().tolist()  # type: ignore[no-any-return]

    start = time.perf_counter()
    router = IndexedRouter(encoder=TfidfDense(name="tfidf-dense"),
                           routes=[SRRoute(name=a.name, utterances=[d]) for a, d in zip(agents, documents)], top_k=5)
    fit_seconds = time.perf_counter() - start
    return {"version": getattr(semantic_router, "__version__", "?"), "fit_seconds": fit_seconds,
            "pick": time_calls(lambda text: router(text), requests, warmup=20, max_calls=500, max_seconds=6.0)}


def parallel_batches(router: Router, batch: Sequence[str], *, n_jobs: int = 2) -> Result:
    """``pick_many(n_jobs=...)`` through joblib: default (loky) back end, and Dask's ``LocalCluster``."""
    result: Result = {"n_jobs": n_jobs, "requests": len(batch),
                      "serial": time_batch(router.pick_many, batch, repeat=2)}
    result["loky"] = time_batch(lambda texts: router.pick_many(texts, n_jobs=n_jobs), batch, repeat=3)
    try:
        from dask.distributed import Client, LocalCluster
        from joblib import parallel_config
    except ImportError as error:
        result["dask"] = {"skipped": f"dask[distributed] not installed ({error}); pip install 'dask[distributed]'"}
        return result
    os.environ.setdefault("DASK_DISTRIBUTED__LOGGING__DISTRIBUTED", "error")
    # Each chunk carries the router; dask warns about the graph size, which is the point being measured.
    warnings.filterwarnings("ignore", message="Sending large graph", category=UserWarning)
    start = time.perf_counter()
    with LocalCluster(n_workers=n_jobs, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster):
        startup = time.perf_counter() - start
        with parallel_config(backend="dask"):
            timing = time_batch(lambda texts: router.pick_many(texts, n_jobs=n_jobs), batch, repeat=3)
    result["dask"] = {**timing, "cluster_startup_seconds": startup, "workers": n_jobs, "threads_per_worker": 1}
    return result
