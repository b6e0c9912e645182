"""Semantic search: article embeddings computed at index time and kept on disk.

The cache is keyed by the encoder's name and each article's digest: unchanged articles are
not re-embedded at start-up, and a different model never reuses another's vectors.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from knowledge_base.articles import Article
from knowledge_base.encoders import Encoder


def chunks(a: Article) -> list[str]:
    """The title, then the title with each paragraph: a sentence encoder ranks better on short
    passages than on a whole article (the best passage scores the article)."""
    out = [f"{a.title}. {' '.join(a.tags)}"]
    for para in re.split(r"\n\s*\n|\n(?=[-0-9])", a.body):
        text = re.sub(r"[*_#>`]", " ", para).strip()
        if len(text) > 20:
            out.append(f"{a.title}. {text}"[:400])
    return out


class SemanticIndex:
    def __init__(self, folder: Path, encoder: Encoder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.encoder = encoder
        safe = re.sub(r"[^a-zA-Z0-9._-]", "_", encoder.name)
        self.path = self.folder / f"embeddings-{safe}.npz"
        self.rows: list[str] = []              # the article of each row (one row a passage)
        self.digests: dict[str, str] = {}
        self.matrix = np.zeros((0, 1), dtype=np.float32)
        self.encoded = 0
        if self.path.exists():
            data = np.load(self.path, allow_pickle=False)
            self.rows = json.loads(str(data["rows"]))
            self.digests = json.loads(str(data["digests"]))
            self.matrix = data["matrix"]

    def sync(self, articles: dict[str, Article]) -> dict[str, int]:
        unchanged = {slug for slug, a in articles.items() if self.digests.get(slug) == a.digest}
        todo = [a for slug, a in articles.items() if slug not in unchanged]
        removed = len(set(self.digests) - set(articles))
        if not todo and not removed:
            return {"embedded": 0, "removed": 0}
        keep = [i for i, slug in enumerate(self.rows) if slug in unchanged]
        rows = [self.rows[i] for i in keep]
        blocks = [self.matrix[keep]] if keep else []
        texts, owners = [], []
        for a in todo:
            for text in chunks(a):
                texts.append(text)
                owners.append(a.slug)
        if texts:
            blocks.append(self.encoder.encode(texts))
        self.encoded += len(todo)
        self.rows = rows + owners
        self.matrix = np.vstack(blocks).astype(np.float32) if blocks else np.zeros((0, 1))
        self.digests = {slug: articles[slug].digest for slug in dict.fromkeys(self.rows)}
        np.savez(self.path, rows=json.dumps(self.rows), digests=json.dumps(self.digests),
                 matrix=self.matrix)
        return {"embedded": len(todo), "removed": removed}

    def search(self, text: str, limit: int = 10) -> list[dict]:
        if not self.rows or not text.strip():
            return []
        scores = self.matrix @ self.encoder.encode([text])[0]
        best: dict[str, float] = {}
        # the best passages only (an article has several): no full sort of every passage
        depth = min(len(scores), limit * 20)
        top = np.argpartition(-scores, depth - 1)[:depth]
        for i in top[np.argsort(-scores[top])]:
            slug = self.rows[i]
            if slug not in best:
                best[slug] = float(scores[i])
                if len(best) >= limit:
                    break
        return [{"slug": slug, "score": score} for slug, score in best.items()]
