"""Knowledge base: Markdown articles, full-text (Whoosh) and semantic search, hybrid ranking."""
