"""Full-text search with Whoosh: French stemming with accent folding, field boosts, typo
tolerance and highlighted extracts.

Accent folding comes after the stemmer (as measured: the French stemmer alone makes
"resiliation" find fewer documents than "résiliation").
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

from whoosh import index
from whoosh.analysis import CharsetFilter, LanguageAnalyzer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, Formatter, get_text, highlight
from whoosh.query import Or, Term
from whoosh.support.charset import accent_map

from knowledge_base.articles import Article
from knowledge_base.postings import Clause, PostingScorer

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


def fold(text: str) -> str:
    """Lower case without accents, as the analyzer leaves its terms."""
    return text.lower().translate(_FOLD)


_FOLD = dict(accent_map)


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
        self._searcher = None
        self._scorer: PostingScorer | None = None
        self._recent: dict[str, list[Clause]] = {}   # query text -> clauses, this generation
        self._lock = threading.Lock()

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

    def warm_up(self) -> None:
        """Open the searcher and read the field lengths (after start-up or a re-index)."""
        with self._lock:
            self._current()

    def _current(self) -> tuple:
        """The searcher and scorer of the index as it is now (new ones after a commit).
        Callers hold ``self._lock``: Whoosh readers seek in shared files."""
        if self._searcher is None:
            self._searcher = self.ix.searcher()
        elif not self._searcher.up_to_date():
            # a new searcher, not refresh(): a refreshed reader reuses the old segment
            # readers and their stale deletion sets
            self._searcher.close()
            self._searcher = self.ix.searcher()
            self._scorer = None
            self._recent.clear()
        if self._scorer is None:
            self._scorer = PostingScorer(self._searcher)
            for field in BOOSTS:       # field lengths now, not on the next agent's search
                self._scorer.lengths(field)
            self._scorer.slugs()
        return self._searcher, self._scorer

    def clauses(self, text: str, reader) -> list[Clause]:
        """Exact terms in every field with its boost; a term the index does not know is taken
        as a typo and replaced by the indexed words within one edit (two for long words),
        first letter right, at half weight."""
        out: list[Clause] = []
        for term in dict.fromkeys(t.text for t in self.analyzer(text)):
            known = any((field, term) in reader for field in BOOSTS)
            for field, boost in BOOSTS.items():
                if known or len(term) < 4:
                    out.append((field, term, boost))
                    continue
                for word in reader.terms_within(field, term, 1 if len(term) < 7 else 2,
                                                prefix=1):
                    out.append((field, word, boost * 0.5))
        return out

    def _clauses_of(self, text: str, searcher) -> list[Clause]:
        """Clauses of a query, kept for the next call (a search, then its extracts, and the
        suggestions that repeat as the agent types): typo expansion walks the term list."""
        if text not in self._recent:
            if len(self._recent) >= 512:
                self._recent.clear()
            self._recent[text] = self.clauses(text, searcher.reader())
        return self._recent[text]

    @staticmethod
    def as_query(clauses: list[Clause]):
        """The same clauses as a Whoosh query (what the numpy scorer computes)."""
        return Or([Term(field, term, boost=boost) for field, term, boost in clauses])

    def rank(self, text: str, limit: int = 10) -> list[dict]:
        """The best ``limit`` hits as slug and score only (no stored fields read)."""
        with self._lock:
            searcher, scorer = self._current()
            clauses = self._clauses_of(text, searcher)
            slugs = scorer.slugs()
            return [{"slug": slugs[docnum], "score": score}
                    for docnum, score in scorer.top(clauses, limit)] if clauses else []

    def extracts(self, text: str, slugs: list[str]) -> dict[str, str]:
        """Highlighted extracts of these articles for this query (only what is shown)."""
        with self._lock:
            return self._extracts(text, slugs)

    def _extracts(self, text: str, slugs: list[str]) -> dict[str, str]:
        searcher, _ = self._current()
        terms = self._body_terms(self._clauses_of(text, searcher))
        out: dict[str, str] = {}
        if not terms:
            return out
        for slug in slugs:
            fields = searcher.document(slug=slug)
            if fields:
                out[slug] = self._extract(fields["body"], terms)
        return out

    @staticmethod
    def _body_terms(clauses: list[Clause]) -> frozenset[str]:
        return frozenset(term for field, term, _ in clauses if field == "body")

    def _extract(self, body: str, terms: frozenset[str]) -> str:
        """The best fragment of the first paragraph that can hold a match: stems are mostly
        prefixes of the folded words, so a substring test skips analysing (stemming) the
        paragraphs that cannot; the whole body when none passes the test."""
        def best_fragment(text: str) -> str:
            return highlight(text, terms, self.analyzer,
                             ContextFragmenter(maxchars=160, surround=40), MarkerFormatter(),
                             top=1)

        likely = next((p for p in re.split(r"\n\s*\n", body)
                       if p.strip() and any(t in fold(p) for t in terms)), None)
        return (best_fragment(likely) if likely else "") or best_fragment(body)
