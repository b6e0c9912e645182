"""Knowledge base: articles, French full-text search, semantic search, hybrid ranking,
incremental re-indexing (real Whoosh index and the real packaged encoder)."""
from __future__ import annotations

import shutil

import pytest

from config import PROJECT_ROOT, load_config
from knowledge_base.articles import Article, ArticleError, load_dir, parse
from knowledge_base.encoders import USEEncoder
from knowledge_base.search import KnowledgeBase, rrf

SHIPPED = PROJECT_ROOT / "knowledge_base" / "articles"


@pytest.fixture(scope="module")
def encoder():
    return USEEncoder()


class CountingEncoder:
    """The real encoder, counting the texts it is asked to embed."""

    def __init__(self, inner):
        self.inner, self.name, self.texts = inner, inner.name, 0

    def encode(self, texts):
        self.texts += len(texts)
        return self.inner.encode(texts)


@pytest.fixture
def kb_dirs(tmp_path):
    articles = tmp_path / "articles"
    shutil.copytree(SHIPPED, articles)
    return articles, tmp_path / "index"


def test_shipped_articles(encoder):
    articles = load_dir(SHIPPED)
    assert len(articles) >= 40
    kinds = {slug.split("-")[0] for slug in articles}
    assert {"procedure", "produit", "objection", "reclamation", "droits"} <= kinds
    for a in articles.values():
        assert a.title and a.body and a.tags


def test_front_matter_round_trip_and_errors():
    a = Article("test-article", 'Titre "cité"', "Corps **gras**.", ["a", "b"], ["LIVRET-A"])
    again = parse("test-article", a.to_markdown())
    assert (again.title, again.body, again.tags, again.products) == (
        "Titre 'cité'", "Corps **gras**.", ["a", "b"], ["LIVRET-A"])
    with pytest.raises(ArticleError, match="en-tête"):
        parse("x-y", "pas de front matter")
    with pytest.raises(ArticleError, match="identifiant"):
        parse("../etc/passwd", "+++\ntitle='x'\n+++\n")


def test_french_fulltext_accents_typos_and_highlights(kb_dirs, encoder):
    articles, index = kb_dirs
    kb = KnowledgeBase(load_config().section("knowledge_base"), encoder, articles, index)
    for query in ("résiliation assurance", "resiliation assurance", "resilaition asurance"):
        assert kb.search(query, "fulltext")[0]["slug"] == "procedure-resiliation-assurance"
    hit = kb.search("prêt immobilier", "fulltext")[0]
    assert hit["slug"] == "procedure-simulation-pret"
    assert "\x01" in hit["highlight"] and "\x02" in hit["highlight"]


def test_semantic_finds_paraphrases_and_hybrid_combines(kb_dirs, encoder):
    articles, index = kb_dirs
    kb = KnowledgeBase(load_config().section("knowledge_base"), encoder, articles, index)
    semantic = [r["slug"] for r in kb.search("je veux arrêter mon contrat maison", "semantic", 3)]
    assert "procedure-resiliation-assurance" in semantic
    hybrid = kb.search("le client dit que c'est hors de prix", "hybrid", 3)
    assert "objection-trop-cher" in [r["slug"] for r in hybrid]
    assert rrf([["a", "b"], ["b", "c"]], k=60)[0][0] == "b"


def test_incremental_reindex_and_no_reembedding_at_start(kb_dirs, encoder):
    articles, index = kb_dirs
    counting = CountingEncoder(encoder)
    cfg = load_config().section("knowledge_base")
    KnowledgeBase(cfg, counting, articles, index)
    first = counting.texts
    assert first > 40
    counting.texts = 0
    KnowledgeBase(cfg, counting, articles, index)  # a restart: nothing changed
    assert counting.texts == 0
    path = articles / "objection-trop-cher.md"
    path.write_text(path.read_text().replace("valeur perçue", "valeur perçue et ristourne"))
    (articles / "droit-au-compte.md").unlink()
    kb = KnowledgeBase(cfg, counting, articles, index)
    assert 0 < counting.texts < 10  # only the edited article's passages
    assert kb.search("ristourne", "fulltext")[0]["slug"] == "objection-trop-cher"
    assert "droit-au-compte" not in [r["slug"] for r in kb.search("droit au compte Banque de France")]


def test_suggestions_from_the_call_context(kb_dirs, encoder):
    articles, index = kb_dirs
    kb = KnowledgeBase(load_config().section("knowledge_base"), encoder, articles, index)
    found = kb.suggest(notes="carte volée hier soir", products=["CB-ESSENTIEL"])
    assert found[0]["slug"] == "procedure-opposition-carte"
    by_products = kb.suggest(products=["PER"])
    assert by_products and by_products[0]["slug"] == "produit-per"
