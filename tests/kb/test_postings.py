"""The numpy scorer computes exactly what Whoosh's own BM25F search computes, on the shipped
articles and after edits and deletions (several segments, deleted documents)."""
from __future__ import annotations

import shutil

import pytest

from config import PROJECT_ROOT
from knowledge_base.articles import load_dir
from knowledge_base.fulltext import BOOSTS, FullTextIndex

SHIPPED = PROJECT_ROOT / "knowledge_base" / "articles"
QUERIES = ["carte bancaire perdue", "résiliation assurance habitation", "resiliation",
           "changer adresse", "fuite d'eau dégât", "cambriolage declaration plainte",
           "livret épargne taux", "opposition", "réclamation délai réponse", "carte"]


def whoosh_ranking(ft: FullTextIndex, text: str, limit: int = 10):
    with ft.ix.searcher() as s:
        q = ft.as_query(ft.clauses(text, s.reader()))
        return [(hit["slug"], hit.score) for hit in s.search(q, limit=limit)]


def numpy_ranking(ft: FullTextIndex, text: str, limit: int = 10):
    return [(r["slug"], r["score"]) for r in ft.rank(text, limit)]


def assert_same(ft, text):
    ours, theirs = numpy_ranking(ft, text), whoosh_ranking(ft, text)
    assert theirs, text
    assert [s for s, _ in ours] == [s for s, _ in theirs], text
    assert [round(x, 6) for _, x in ours] == [round(x, 6) for _, x in theirs], text


def test_same_scores_as_whoosh_on_shipped_articles(tmp_path):
    ft = FullTextIndex(tmp_path / "ix")
    ft.sync(load_dir(SHIPPED))
    for text in QUERIES:
        assert_same(ft, text)


def test_same_scores_after_edits_and_deletions(tmp_path):
    folder = tmp_path / "articles"
    shutil.copytree(SHIPPED, folder)
    ft = FullTextIndex(tmp_path / "ix")
    ft.sync(load_dir(folder))
    assert numpy_ranking(ft, "carte")            # a scorer on the first generation
    victim = next(slug for slug, _ in whoosh_ranking(ft, "carte"))
    (folder / f"{victim}.md").unlink()
    edited = sorted(folder.glob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nCarte carte carte.\n",
                      encoding="utf-8")
    assert ft.sync(load_dir(folder)) == {"indexed": 1, "removed": 1}
    with ft.ix.searcher() as s:
        assert len(s.reader().leaf_readers()) > 1 or s.reader().has_deletions()
    ranked = [slug for slug, _ in numpy_ranking(ft, "carte", 50)]
    assert victim not in ranked and edited.stem in ranked
    for text in QUERIES:
        assert_same(ft, text)


@pytest.mark.parametrize("typo, word", [("resilliation", "resili"), ("cambrilage", "cambriolag"), ("oppositon", "opposit")])
def test_unknown_words_expand_to_close_indexed_words(tmp_path, typo, word):
    ft = FullTextIndex(tmp_path / "ix")
    ft.sync(load_dir(SHIPPED))
    with ft.ix.searcher() as s:
        clauses = ft.clauses(typo, s.reader())
    assert clauses and all(term.startswith(word) for _, term, _ in clauses)
    assert all(boost == BOOSTS[field] / 2 for field, _, boost in clauses)    # half weight
    assert_same(ft, typo)
