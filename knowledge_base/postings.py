"""BM25F scoring of a Whoosh index with numpy arrays of postings.

Whoosh's matchers walk the postings one document at a time in pure Python: a French query of
a few common words matches thousands of the 10 000 benchmark articles and costs 50–150 ms
(bench/kb_quality.py). Here each term's postings are read once per index generation into two
arrays (document numbers, BM25F scores, with Whoosh's own formula, field lengths and idf), and
a query is a sum of those arrays followed by a partial sort: a few milliseconds.
Whoosh stays the index, the analyzer, the fuzzy term expansion and the highlighter.
"""
from __future__ import annotations

from math import log

import numpy as np

Clause = tuple[str, str, float]          # (field, term, boost)


def _leaf_postings(reader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
    """Document numbers and stored weights (term frequency × field boost) of one segment,
    including deleted documents (masked by the caller)."""
    btext = reader._text_to_bytes(field, term)
    matcher = reader._terms.matcher(field, btext, reader.schema[field].format)
    ids, weights = [], []
    if all(hasattr(matcher, a) for a in ("_read_data", "_read_weights", "_next_block")):
        # whoosh3 codec: whole blocks at a time instead of one posting at a time, the
        # delta-encoded document numbers decoded by numpy
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            raw = np.asarray(matcher._data[0], dtype=np.int64)
            ids.append(raw if matcher._byteids else np.cumsum(raw))
            matcher._read_weights()
            weights.append(np.asarray(matcher._weights, dtype=np.float64))
            matcher._next_block()
        if ids:
            return np.concatenate(ids), np.concatenate(weights)
        return np.zeros(0, np.int64), np.zeros(0, np.float64)
    while matcher.is_active():                       # any other codec
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)


class PostingScorer:
    """Scores of one searcher's documents; build a new one when the index changes.
    Not thread-safe (Whoosh readers seek in shared files): the caller serialises."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.doc_count = searcher.doc_count_all()
        self.weighting = searcher.weighting
        self.leaves = list(searcher.leaf_searchers())
        self.alive = np.ones(self.doc_count, dtype=bool)
        for sub, offset in self.leaves:
            for docnum in getattr(sub.reader(), "deleted_docs_set", ()) or ():
                self.alive[offset + docnum] = False
        self._lengths: dict[str, np.ndarray] = {}
        self._slugs: list[str] | None = None
        self._terms: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def lengths(self, field: str) -> np.ndarray:
        if field not in self._lengths:
            out = np.ones(self.doc_count, dtype=np.float64)
            for sub, offset in self.leaves:
                reader = sub.reader()
                for docnum in range(reader.doc_count_all()):
                    out[offset + docnum] = reader.doc_field_length(docnum, field, 1)
            self._lengths[field] = out
        return self._lengths[field]

    def slugs(self) -> list[str]:
        """The ``slug`` stored field of every document, by document number: ranking needs no
        stored-field reads (each one unpickles a whole article)."""
        if self._slugs is None:
            out = [""] * self.doc_count
            for sub, offset in self.leaves:
                for docnum, fields in sub.reader().iter_docs():
                    out[offset + docnum] = fields.get("slug", "")
            self._slugs = out
        return self._slugs

    def term(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """Global document numbers and BM25F scores of one term (cached)."""
        key = (field, term)
        cached = self._terms.get(key)
        if cached is not None:
            return cached
        ids, weights = [], []
        for sub, offset in self.leaves:
            reader = sub.reader()
            if (field, term) not in reader:
                continue
            leaf_ids, leaf_weights = _leaf_postings(reader, field, term)
            ids.append(leaf_ids + offset)
            weights.append(leaf_weights)
        if ids:
            docs, tf = np.concatenate(ids), np.concatenate(weights)
            if self.searcher.schema[field].scorable:
                scores = self._bm25f(field, term, tf, self.lengths(field)[docs])
            else:
                scores = tf
            keep = self.alive[docs]
            cached = (docs[keep], scores[keep])
        else:
            cached = (np.zeros(0, np.int64), np.zeros(0, np.float64))
        self._terms[key] = cached
        return cached

    def _bm25f(self, field, term, tf, lengths):
        """whoosh.scoring.BM25F, vectorised."""
        w = self.weighting
        b = getattr(w, "_field_B", {}).get(field, getattr(w, "B", 0.75))
        k1 = getattr(w, "K1", 1.2)
        df = self.searcher.doc_frequency(field, term)
        idf = log(self.doc_count / (df + 1)) + 1
        avgfl = self.searcher.avg_field_length(field) or 1
        return idf * (tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths / avgfl))

    def top(self, clauses: list[Clause], limit: int) -> list[tuple[int, float]]:
        """The ``limit`` best (document number, score), by score then document number, the
        score being the sum over the clauses that match (a Whoosh ``Or``)."""
        scores = np.zeros(self.doc_count, dtype=np.float64)
        for field, term, boost in clauses:
            docs, term_scores = self.term(field, term)
            scores[docs] += term_scores * boost
        hits = np.flatnonzero(scores)
        if not len(hits):
            return []
        if len(hits) > limit:
            cut = np.argpartition(-scores[hits], limit - 1)[:limit]
            # keep every hit tied with the last one, so ties are broken by document number
            floor = scores[hits[cut]].min()
            hits = hits[scores[hits] >= floor]
        order = np.lexsort((hits, -scores[hits]))[:limit]
        return [(int(hits[i]), float(scores[hits[i]])) for i in order]
