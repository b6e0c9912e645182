"""The knowledge base as the console uses it: articles, both indexes, hybrid ranking."""
from __future__ import annotations

import threading
from pathlib import Path

from config import PROJECT_ROOT
from knowledge_base.articles import Article, load_dir
from knowledge_base.encoders import Encoder, make_encoder
from knowledge_base.fulltext import FullTextIndex
from knowledge_base.semantic import SemanticIndex


def rrf(rankings: list[list[str]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: Σ 1 / (k + rank) over the rankings an item appears in."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, slug in enumerate(ranking, 1):
            scores[slug] = scores.get(slug, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def score_fusion(full: list[dict], sem: list[dict], weight_fulltext: float
                 ) -> list[tuple[str, float]]:
    """Each ranking's scores scaled to 0 … 1 (BM25F by the best hit, cosine between the best and
    the last hit kept), then mixed linearly. Measured better than RRF on the labelled queries
    (bench/kb_quality.py), because it keeps how far ahead a clear full-text match is."""
    scores: dict[str, float] = {}
    if full:
        top = full[0]["score"] or 1.0
        for r in full:
            scores[r["slug"]] = weight_fulltext * r["score"] / top
    if sem:
        top, low = sem[0]["score"], sem[-1]["score"]
        for r in sem:
            scores[r["slug"]] = scores.get(r["slug"], 0.0) + (1 - weight_fulltext) * (
                (r["score"] - low) / max(1e-9, top - low))
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def _path(value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else PROJECT_ROOT / p


class KnowledgeBase:
    def __init__(self, kb_cfg: dict, encoder: Encoder | None = None,
                 articles_dir: Path | None = None, index_dir: Path | None = None):
        self.cfg = kb_cfg
        self.articles_dir = articles_dir or _path(kb_cfg["articles_dir"])
        self.index_dir = index_dir or _path(kb_cfg.get("index_dir") or "var/kb")
        self.encoder = encoder or make_encoder(kb_cfg)
        self.fulltext = FullTextIndex(self.index_dir / "whoosh")
        self.semantic = SemanticIndex(self.index_dir, self.encoder)
        self.articles: dict[str, Article] = {}
        self._lock = threading.Lock()
        self.reload()

    def reload(self) -> dict:
        """Read the articles folder and bring both indexes up to date (incrementally)."""
        with self._lock:
            self.articles = load_dir(self.articles_dir)
            counts = {"articles": len(self.articles), **self.fulltext.sync(self.articles),
                      **self.semantic.sync(self.articles)}
            self.fulltext.warm_up()
            return counts

    def search(self, text: str, mode: str = "hybrid", limit: int | None = None) -> list[dict]:
        limit = limit or self.cfg.get("results", 10)
        depth = max(limit, 20)
        full = self.fulltext.rank(text, depth) \
            if mode in ("hybrid", "fulltext") else []
        sem = self.semantic.search(text, depth) if mode in ("hybrid", "semantic") else []
        if mode == "fulltext":
            ranked = [(r["slug"], r["score"]) for r in full]
        elif mode == "semantic":
            ranked = [(r["slug"], r["score"]) for r in sem]
        elif self.cfg.get("fusion", "score") == "rrf":
            ranked = rrf([[r["slug"] for r in full], [r["slug"] for r in sem]],
                         self.cfg.get("rrf_k", 60))
        else:
            ranked = score_fusion(full, sem, self.cfg.get("weight_fulltext", 0.7))
        shown = [(slug, score) for slug, score in ranked if slug in self.articles][:limit]
        extracts = self.fulltext.extracts(text, [slug for slug, _ in shown]) if shown else {}
        return [{"slug": slug, "title": self.articles[slug].title, "score": round(score, 5),
                 "highlight": extracts.get(slug) or self.articles[slug].body[:160],
                 "tags": self.articles[slug].tags} for slug, score in shown]

    def suggest(self, queue: str | None = None, products: list[str] | None = None,
                segment: str | None = None, step_text: str | None = None,
                notes: str | None = None, limit: int = 5) -> list[dict]:
        """Articles for the call on screen, from what is known about it."""
        parts = [p for p in (step_text, notes, queue) if p]
        if segment:
            parts.append(segment)
        query = " ".join(parts)
        results = self.search(query, limit=limit * 2) if query else []
        if products:
            wanted = set(products)
            boosted = [r for r in results if wanted & set(self.articles[r["slug"]].products)]
            rest = [r for r in results if r not in boosted]
            results = boosted + rest
            if not results:
                results = [self.article_summary(a) for a in self.articles.values()
                           if wanted & set(a.products)]
        return results[:limit]

    def article_summary(self, a: Article) -> dict:
        return {"slug": a.slug, "title": a.title, "score": 0.0, "highlight": a.body[:160],
                "tags": a.tags}
