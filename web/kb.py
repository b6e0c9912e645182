"""Knowledge base in the console: search, suggestions for the call on screen, article views
logged with the call."""
from __future__ import annotations

import threading

from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user

from web.db import cfg, hub, interface_of, roles_required

bp = Blueprint("kb", __name__, url_prefix="/api/kb")
_lock = threading.Lock()


def knowledge_base():
    """Built on first use (loading the encoder and syncing the indexes takes seconds)."""
    kb = current_app.extensions.get("relais.kb")
    if kb is None:
        with _lock:
            kb = current_app.extensions.get("relais.kb")
            if kb is None:
                from knowledge_base.search import KnowledgeBase
                kb_cfg = cfg().section("knowledge_base")
                index_dir = None if kb_cfg.get("index_dir") else cfg().var_dir / "kb"
                kb = KnowledgeBase(kb_cfg, index_dir=index_dir)
                current_app.extensions["relais.kb"] = kb
    return kb


def _articles_key(call_id: str) -> str:
    return f"relais:call-articles:{call_id}"


def articles_viewed(call_id: str) -> list[str]:
    r = current_app.extensions["relais.redis"]
    return sorted(m.decode() for m in r.smembers(_articles_key(call_id)))


@bp.get("/search")
@roles_required("agent", "supervisor")
def search():
    q = (request.args.get("q") or "").strip()[:300]
    mode = request.args.get("mode", "hybrid")
    if mode not in ("hybrid", "fulltext", "semantic"):
        mode = "hybrid"
    return jsonify(knowledge_base().search(q, mode) if q else [])


@bp.get("/articles/<slug>")
@roles_required("agent", "supervisor")
def article(slug: str):
    a = knowledge_base().articles.get(slug)
    if a is None:
        return jsonify({"error": "article introuvable"}), 404
    call_id = request.args.get("call_id")
    interface = interface_of(current_user)
    if call_id and interface:
        pop = hub().pop_for(interface)
        if pop and pop["call_id"] == call_id:
            r = current_app.extensions["relais.redis"]
            r.sadd(_articles_key(call_id), slug)
            r.expire(_articles_key(call_id), 86400)
    return jsonify(a.to_dict())


@bp.get("/suggest")
@roles_required("agent")
def suggest():
    """Articles for the call on screen: its queue, the customer's products and segment, the
    current script step and the notes being typed."""
    interface = interface_of(current_user)
    pop = hub().pop_for(interface) if interface else None
    products, segment, queue = [], None, None
    if pop:
        queue = pop["call"].get("queue")
        record = pop.get("record") or {}
        products = [o.get("product_code") for o in record.get("offers", [])]
        segment = (record.get("scores") or {}).get("rfm_segment")
    return jsonify(knowledge_base().suggest(
        queue=queue, products=[p for p in products if p], segment=segment,
        step_text=(request.args.get("step") or "")[:300] or None,
        notes=(request.args.get("notes") or "")[:500] or None))
