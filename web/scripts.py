"""Call scripts in the console: the agent steps through the script chosen for the call; the
supervisor sees each script as a flow chart and edits it with validation."""
from __future__ import annotations

import json
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_login import current_user

from config import PROJECT_ROOT
from console.calls import audit
from console.models import Customer
from scripts_library.engine import (AnswerError, Run, ScriptError, choose, load_folder,
                                    load_objections, load_text, validate)
from web.db import cfg, db, hub, interface_of, roles_required

bp = Blueprint("scripts", __name__)


def _path(value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else PROJECT_ROOT / p


def library():
    folder = _path(cfg().get("scripts.folder"))
    return load_folder(folder), load_objections(_path(cfg().get("scripts.objections")))


def _key(call_id: str) -> str:
    return f"relais:script:{call_id}:{current_user.id}"


def _context(pop: dict) -> dict:
    record = pop.get("record") or {}
    c = record.get("customer") or {}
    offer = (record.get("offers") or [{}])[0]
    scores = record.get("scores") or {}
    contact = next((x for x in record.get("contacts", []) if x.get("role") == "decideur"), {})
    since = c.get("customer_since") or ""
    first, _, last = current_user.display_name.partition(" ")
    return {
        "client": {"civilite": c.get("civility") or "", "nom": c.get("last_name") or
                   c.get("company_name") or "", "prenom": c.get("first_name") or "",
                   "raison_sociale": c.get("company_name") or "",
                   "ville": (record.get("addresses") or [{}])[0].get("city", ""),
                   "segment": scores.get("rfm_segment") or "",
                   "sensible": bool(scores.get("sensitive")),
                   "decideur": " ".join(filter(None, [contact.get("first_name"),
                                                      contact.get("last_name")])),
                   "anciennete": f"{since[:4]}" if since else "longtemps",
                   "type": scores.get("customer_type") or ""},
        "agent": {"nom": last, "prenom": first},
        "offre": {"produit": offer.get("product", ""), "raison": offer.get("reason", ""),
                  "argumentaire": offer.get("argumentaire", ""), "prix_mensuel": ""},
        "entreprise": {"nom": "Banque Horizon", "telephone": cfg().get("cti.outbound_caller_id")},
    }


def _pop(call_id: str) -> dict:
    pop = hub().pop_for(interface_of(current_user) or "")
    if pop is None or pop["call_id"] != call_id:
        abort(403)
    return pop


def _load_run(call_id: str, pop: dict, reason: str | None = None,
              script_id: str | None = None) -> Run | None:
    scripts, objections = library()
    r = current_app.extensions["relais.redis"]
    raw = r.get(_key(call_id))
    if raw and not (reason or script_id):
        state = json.loads(raw)
        if state["script"] in scripts:
            return Run.restore(scripts[state["script"]], _context(pop), objections, state)
    script = scripts.get(script_id) if script_id else choose(
        scripts, queue=pop["call"].get("queue"), reason=reason,
        campaign=pop["call"].get("campaign"))
    if script is None:
        return None
    run = Run(script, _context(pop), objections)
    _save(call_id, run)
    return run


def _save(call_id: str, run: Run) -> None:
    current_app.extensions["relais.redis"].set(_key(call_id), json.dumps(run.state()), ex=86400)


def script_state(call_id: str) -> dict | None:
    raw = current_app.extensions["relais.redis"].get(_key(call_id))
    return json.loads(raw) if raw else None


@bp.get("/api/calls/<call_id>/script")
@roles_required("agent")
def current(call_id: str):
    pop = _pop(call_id)
    run = _load_run(call_id, pop, request.args.get("reason"), request.args.get("script"))
    scripts, _ = library()
    listing = [{"id": s.id, "title": s.title} for s in scripts.values()]
    if run is None:
        return jsonify({"script": None, "scripts": listing})
    return jsonify(dict(run.view(), scripts=listing))


@bp.post("/api/calls/<call_id>/script")
@roles_required("agent")
def answer(call_id: str):
    pop = _pop(call_id)
    run = _load_run(call_id, pop)
    if run is None:
        return jsonify({"error": "aucun script pour cet appel"}), 404
    step = run.script.steps[run.current]
    value = (request.get_json(silent=True) or {}).get("value")
    try:
        view = run.answer(value)
    except AnswerError as exc:
        return jsonify({"error": str(exc)}), 400
    _save(call_id, run)
    target = step.get("updates")
    if target and pop.get("customer_id"):
        if target not in cfg().get("scripts.updatable_fields"):
            return jsonify(dict(view, warning=f"champ non modifiable : {target}"))
        customer = db().get(Customer, pop["customer_id"])
        old = getattr(customer, target)
        setattr(customer, target, run.answers[step.get("field") or step["id"]])
        audit(db(), current_user.username, "update", customer.id, field=target,
              old=None if old is None else str(old), new=str(getattr(customer, target)),
              via=f"script {run.script.id}", call_id=call_id)
        db().commit()
    return jsonify(view)


# ---- supervisor: flow charts and editing -----------------------------------------------------

@bp.get("/supervision/scripts")
@roles_required("supervisor")
def index():
    scripts, objections = library()
    return render_template("scripts_index.html", scripts=scripts.values(),
                           problems={s.id: validate(s, objections) for s in scripts.values()})


@bp.route("/supervision/scripts/<script_id>", methods=["GET", "POST"])
@roles_required("supervisor")
def edit(script_id: str):
    from web.charts import flow_chart
    scripts, objections = library()
    script = scripts.get(script_id)
    if script is None:
        abort(404)
    source, problems = script.source, []
    if request.method == "POST":
        source = request.form.get("source", "")
        try:
            candidate = load_text(source, Path(script.path).name)
            problems = validate(candidate, objections)
        except ScriptError as exc:
            problems = [str(exc)]
        if not problems and candidate.id != script.id:
            problems = ["l'identifiant du script ne peut pas changer"]
        if not problems:
            Path(script.path).write_text(source, encoding="utf-8")
            audit(db(), current_user.username, "script_edit", None, script=script.id)
            db().commit()
            flash("Script enregistré.", "info")
            return redirect(url_for("scripts.edit", script_id=script_id))
        flash("Script non enregistré : corrigez les problèmes signalés.", "error")
    shown = load_text(source, script.path) if not problems else script
    return render_template("script_edit.html", script=script, source=source,
                           problems=[str(p) for p in problems], chart=flow_chart(shown))
