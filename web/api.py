"""JSON API used by the console pages (session cookie + CSRF header, like the forms)."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user
from sqlalchemy import or_, select

from console.calls import audit, build_pop, get_draft, save_draft, save_wrapup
from console.models import Address, Customer, Phone
from console.phones import InvalidPhoneNumber, normalize
from console.record import CustomerNotFound, build_record
from console.segmentation.engine import rescore
from cti.bus import CommandError
from web.db import cfg, commands, db, hub, interface_of, roles_required
from web.extensions import socketio
from web.live import agent_room

bp = Blueprint("api", __name__, url_prefix="/api")


def error(message: str, status: int = 400):
    response = jsonify({"error": message})
    response.status_code = status
    return response


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(error("corps JSON attendu", 400))
    return data


def my_interface() -> str:
    interface = interface_of(current_user)
    if not interface:
        abort(error("aucun poste associé à votre compte", 409))
    return interface


def my_pop(call_id: str) -> dict:
    """The pop of this agent for this call; any other call is not theirs to touch."""
    pop = hub().pop_for(my_interface())
    if pop is None or pop["call_id"] != call_id:
        abort(error("cet appel n'est pas (ou plus) le vôtre", 403))
    return pop


def command(name: str, **args):
    try:
        return jsonify({"ok": True, "result": commands().request(name, **args)})
    except CommandError as exc:
        return error(str(exc), 409)


# ---- customers ---------------------------------------------------------------------------
@bp.get("/customers/<int:customer_id>")
@roles_required("agent", "supervisor")
def customer(customer_id: int):
    try:
        record = build_record(db(), customer_id, cfg().section("record"), cfg())
    except CustomerNotFound:
        return error("client introuvable", 404)
    audit(db(), current_user.username, "view", customer_id, via="api")
    db().commit()
    return jsonify(record)


@bp.get("/customers/search")
@roles_required("agent", "supervisor")
def search():
    q = (request.args.get("q") or "").strip()
    if len(q) < 2:
        return jsonify([])
    conditions = [Customer.last_name.ilike(f"%{q}%"), Customer.company_name.ilike(f"%{q}%"),
                  Customer.email.ilike(f"%{q}%")]
    try:
        conditions.append(Customer.id.in_(select(Phone.customer_id).where(
            Phone.e164 == normalize(q, cfg().get("phone.default_region")))))
    except InvalidPhoneNumber:
        pass
    rows = db().scalars(select(Customer).where(or_(*conditions)).order_by(Customer.last_name)
                        .limit(20)).all()
    out = []
    for c in rows:
        address = db().scalar(select(Address).where(Address.customer_id == c.id).limit(1))
        out.append({"id": c.id, "display_name": c.display_name, "kind": c.kind,
                    "city": address.city if address else None,
                    "postcode": address.postcode if address else None})
    return jsonify(out)


@bp.post("/customers")
@roles_required("agent", "supervisor")
def create_customer():
    data = body()
    kind = "company" if data.get("company_name") else "person"
    if not (data.get("last_name") or data.get("company_name")):
        return error("nom ou raison sociale obligatoire")
    phones = []
    if data.get("phone"):
        try:
            phones.append(normalize(data["phone"], cfg().get("phone.default_region")))
        except InvalidPhoneNumber as exc:
            return error(str(exc))
    customer = Customer(kind=kind, civility=data.get("civility") or None,
                        first_name=data.get("first_name") or None,
                        last_name=data.get("last_name") or None,
                        company_name=data.get("company_name") or None,
                        email=(data.get("email") or "").lower() or None, origin="appel",
                        lifecycle_stage="prospect")
    for e164 in phones:
        customer.phones.append(Phone(raw=data["phone"], e164=e164, is_primary=True,
                                     kind="mobile" if e164.startswith(("+336", "+337"))
                                     else "fixe"))
    if data.get("postcode") and data.get("city"):
        from console.quality import normalize_address_line
        customer.addresses.append(Address(line1=normalize_address_line(data.get("line1"))
                                          or "", postcode=data["postcode"],
                                          city=normalize_address_line(data["city"])))
    db().add(customer)
    db().flush()
    audit(db(), current_user.username, "create", customer.id, via="console")
    db().commit()
    return jsonify({"id": customer.id, "display_name": customer.display_name}), 201


# ---- the call on screen --------------------------------------------------------------------
@bp.post("/calls/<call_id>/customer")
@roles_required("agent")
def choose_customer(call_id: str):
    """Unknown or shared number: the agent says who is calling (and may keep the number)."""
    pop = my_pop(call_id)
    data = body()
    try:
        customer_id = int(data["customer_id"])
    except (KeyError, TypeError, ValueError):
        return error("customer_id attendu")
    e164 = pop["call"].get("caller_e164")
    if data.get("link_number") and e164:
        known = db().scalar(select(Phone).where(Phone.customer_id == customer_id,
                                                Phone.e164 == e164))
        if known is None:
            db().add(Phone(customer_id=customer_id, raw=pop["call"].get("caller_number") or e164,
                           e164=e164, kind="mobile" if e164.startswith(("+336", "+337"))
                           else "fixe"))
            audit(db(), current_user.username, "update", customer_id, added_phone=e164)
    new_pop = build_pop(db(), pop["call"], cfg(), customer_id=customer_id)
    if new_pop["record"] is None:
        return error("client introuvable", 404)
    audit(db(), current_user.username, "view", customer_id, via="screen_pop", call_id=call_id)
    db().commit()
    hub().set_pop(my_interface(), new_pop)
    socketio.emit("pop", new_pop, to=agent_room(my_interface()))
    return jsonify(new_pop)


@bp.put("/calls/<call_id>/draft")
@roles_required("agent")
def put_draft(call_id: str):
    my_pop(call_id)
    save_draft(db(), call_id, current_user.id, body())
    db().commit()
    return jsonify({"saved": True})


@bp.get("/calls/<call_id>/draft")
@roles_required("agent")
def read_draft(call_id: str):
    my_pop(call_id)
    return jsonify(get_draft(db(), call_id, current_user.id) or {})


@bp.post("/calls/<call_id>/wrapup")
@roles_required("agent")
def wrapup(call_id: str):
    pop = my_pop(call_id)
    call = hub().call(call_id) or pop["call"]
    form = body()
    codes = {d["code"] for d in cfg().get("web.dispositions")}
    if form.get("disposition") not in codes:
        return error("qualification obligatoire")
    if pop.get("customer_id") and not form.get("customer_id"):
        form["customer_id"] = pop["customer_id"]
    from web.kb import articles_viewed
    from web.scripts import script_state
    form["articles"] = sorted(set(form.get("articles") or []) | set(articles_viewed(call_id)))
    form["script"] = script_state(call_id)
    row, first_time = save_wrapup(db(), call, current_user, form)
    if row.customer_id:
        rescore(db(), row.customer_id, cfg())
    db().commit()
    if call.get("state") == "ended":
        interface = my_interface()
        hub().clear_pop(interface, call_id)
        socketio.emit("wrapup_done", {"call_id": call_id}, to=agent_room(interface))
        try:
            commands().request("wrapup", interface=interface, call_id=None)
            state = hub().agent_state(interface) or {}
            if state.get("pause_reason") == cfg().get("web.wrapup_pause_reason"):
                commands().request("unpause", interface=interface)
        except CommandError as exc:  # saved all the same; the agent resumes by hand
            return jsonify({"saved": True, "interaction_id": row.id, "first_time": first_time,
                            "warning": f"reprise automatique impossible : {exc}"})
    return jsonify({"saved": True, "interaction_id": row.id, "first_time": first_time})


# ---- telephony -----------------------------------------------------------------------------
@bp.post("/telephony/originate")
@roles_required("agent")
def originate():
    data = body()
    name = ""
    if data.get("customer_id"):
        customer = db().get(Customer, int(data["customer_id"]))
        name = customer.display_name_plain if customer else ""
    return command("originate", interface=my_interface(), number=data.get("number", ""),
                   customer_name=name, customer_id=data.get("customer_id"))


@bp.post("/telephony/hangup")
@roles_required("agent")
def hangup():
    data = body()
    my_pop(data.get("call_id", ""))
    return command("hangup", call_id=data["call_id"], interface=my_interface())


@bp.post("/telephony/transfer")
@roles_required("agent")
def transfer():
    data = body()
    my_pop(data.get("call_id", ""))
    kind = "transfer_attended" if data.get("kind") == "attended" else "transfer_blind"
    if not data.get("target"):
        return error("destination du transfert manquante")
    return command(kind, call_id=data["call_id"], interface=my_interface(),
                   target=str(data["target"]))


@bp.post("/telephony/pause")
@roles_required("agent")
def pause():
    reason = body().get("reason", "")
    if reason not in cfg().get("web.pause_reasons"):
        return error("motif de pause inconnu")
    return command("pause", interface=my_interface(), reason=reason)


@bp.post("/telephony/unpause")
@roles_required("agent")
def unpause():
    return command("unpause", interface=my_interface())


@bp.post("/telephony/spy")
@roles_required("supervisor")
def spy():
    data = body()
    if data.get("mode") not in ("listen", "whisper", "barge"):
        return error("mode inconnu")
    return command("spy", supervisor_interface=my_interface(),
                   agent_interface=data.get("agent", ""), mode=data["mode"])


@bp.get("/supervision/state")
@roles_required("supervisor")
def supervision_state():
    from cti.bus import BusReader
    from flask import current_app
    return jsonify(BusReader(current_app.extensions["relais.redis"],
                             cfg().get("cti.events_stream")).state())
