"""Demo data: a coherent French bank and insurer (catalog, customers, history)."""
