"""Full-text search with Whoosh: French stemming with accent folding, field boosts, typo
tolerance and highlighted extracts.

Accent folding comes after the stemmer (as measured: the French stemmer alone makes
"resiliation" find fewer documents than "résiliation").
"""
from __future__ import annotations

import re
from pathlib import Path

from whoosh import index
from whoosh.analysis import CharsetFilter, LanguageAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, Formatter, get_text
from whoosh.query import FuzzyTerm, Or, Term
from whoosh.support.charset import accent_map

from knowledge_base.articles import Article

BOOSTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
MARK_START, MARK_END = "\x01", "\x02"


class MarkerFormatter(Formatter):
    """Matches wrapped in control characters, not HTML: the browser builds <mark> elements
    itself, so no article text is ever parsed as HTML."""
    between = " … "

    def _text(self, text):
        return text

    def format_token(self, text, token, replace=False):
        return MARK_START + get_text(text, token, replace) + MARK_END


def plain(markdown: str) -> str:
    """Markdown without its markup: the tokenizer would keep ``**`` glued to words."""
    return re.sub(r"[*_`#>|\[\]]", " ", markdown)


def french_analyzer():
    return LanguageAnalyzer("fr") | CharsetFilter(accent_map)


def schema() -> Schema:
    analyzer = french_analyzer()
    return Schema(slug=ID(stored=True, unique=True), digest=STORED,
                  title=TEXT(analyzer=analyzer, stored=True, field_boost=BOOSTS["title"]),
                  tags=TEXT(analyzer=analyzer, field_boost=BOOSTS["tags"]),
                  products=KEYWORD(commas=True, lowercase=True),
                  body=TEXT(analyzer=analyzer, stored=True))


class FullTextIndex:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        if index.exists_in(str(self.folder)):
            self.ix = index.open_dir(str(self.folder))
        else:
            self.ix = index.create_in(str(self.folder), schema())
        self.analyzer = french_analyzer()

    def digests(self) -> dict[str, str]:
        with self.ix.searcher() as s:
            return {f["slug"]: f["digest"] for f in s.all_stored_fields()}

    def sync(self, articles: dict[str, Article]) -> dict[str, int]:
        """Index what changed, drop what was deleted; returns counts."""
        known = self.digests()
        changed = [a for slug, a in articles.items() if known.get(slug) != a.digest]
        removed = [slug for slug in known if slug not in articles]
        if changed or removed:
            writer = self.ix.writer()
            for slug in removed:
                writer.delete_by_term("slug", slug)
            for a in changed:
                writer.update_document(slug=a.slug, digest=a.digest, title=plain(a.title),
                                       tags=" ".join(a.tags), products=",".join(a.products),
                                       body=plain(a.body))
            writer.commit()
        return {"indexed": len(changed), "removed": len(removed)}

    def query(self, text: str, reader=None):
        """Exact terms; a term the index does not know is taken as a typo and matched within
        one edit (two for long words), first letter right. Expanding every term fuzzily costs
        hundreds of milliseconds on 10 000 articles (bench/kb_quality.py)."""
        terms = [t.text for t in self.analyzer(text)]
        groups = []
        for term in dict.fromkeys(terms):
            known = reader is None or any((field, term) in reader for field in BOOSTS)
            clauses = []
            for field, boost in BOOSTS.items():
                clauses.append(Term(field, term, boost=boost))
                if not known and len(term) >= 4:
                    clauses.append(FuzzyTerm(field, term, boost=boost * 0.5,
                                             maxdist=1 if len(term) < 7 else 2,
                                             prefixlength=1))
            groups.append(Or(clauses))
        return Or(groups) if groups else None

    def search(self, text: str, limit: int = 10, highlights: int | None = None) -> list[dict]:
        """The best ``limit`` hits; only the first ``highlights`` (default: all) get extracts,
        the costly part of a query."""
        with self.ix.searcher() as s:
            q = self.query(text, s.reader())
            if q is None:
                return []
            results = s.search(q, limit=limit)
            results.fragmenter = ContextFragmenter(maxchars=160, surround=40)
            results.formatter = MarkerFormatter()
            shown = limit if highlights is None else highlights
            return [{"slug": hit["slug"], "title": hit["title"], "score": hit.score,
                     "highlight": (hit.highlights("body", top=1) if i < shown else "")
                     or hit["body"][:160]}
                    for i, hit in enumerate(results)]

    def extracts(self, text: str, slugs: list[str]) -> dict[str, str]:
        """Highlighted extracts of these articles for this query (only what is shown)."""
        out: dict[str, str] = {}
        with self.ix.searcher() as s:
            q = self.query(text, s.reader())
            if q is None:
                return out
            from whoosh import query as wq
            only = wq.Or([wq.Term("slug", slug) for slug in slugs])
            results = s.search(q, limit=len(slugs), filter=only)
            results.fragmenter = ContextFragmenter(maxchars=160, surround=40)
            results.formatter = MarkerFormatter()
            for hit in results:
                out[hit["slug"]] = hit.highlights("body", top=1)
        return out
