"""What the console does with calls: screen pops, the interaction log, wrap-up drafts.

One interaction row per call (``call_id`` = Linkedid, unique): written when the call ends from
the telephony timings, completed by the agent's wrap-up. Both writes are upserts, so a second
submit, a closed browser or a second tab never make a second row.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.caller_lookup import identify_caller
from console.models import AuditEntry, CallDraft, Callback, Interaction
from console.recommend import record_offer_answers
from console.record import CustomerNotFound, build_record


def _dt(ts: float | None) -> datetime | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).replace(tzinfo=None)


def build_pop(session: Session, call: dict, cfg, customer_id: int | None = None) -> dict:
    """The screen pop of a call: who is calling and, when known, the whole record."""
    identification = identify_caller(session, call.get("caller_number"), cfg.section("phone"))
    chosen = customer_id or identification.customer_id
    record = None
    if chosen is not None:
        try:
            record = build_record(session, chosen, cfg.section("record"), cfg)
        except CustomerNotFound:
            record = None
    return {"call_id": call["call_id"], "call": call, "identification": identification.to_dict(),
            "customer_id": chosen if record else None, "record": record}


def audit(session: Session, actor: str, action: str, customer_id: int | None,
          **details) -> None:
    session.add(AuditEntry(actor=actor, action=action, customer_id=customer_id,
                           details=details or None))


def _interaction(session: Session, call_id: str) -> Interaction | None:
    return session.scalar(select(Interaction).where(Interaction.call_id == call_id))


def record_call_end(session: Session, call: dict, customer_id: int | None) -> Interaction:
    """Create (or complete) the call's interaction from the telephony figures."""
    row = _interaction(session, call["call_id"])
    if row is None:
        row = Interaction(call_id=call["call_id"])
        session.add(row)
    row.customer_id = row.customer_id or customer_id
    row.channel = "appel_sortant" if call.get("direction") == "outbound" else "appel_entrant"
    row.occurred_at = _dt(call.get("queued_at") or call.get("first_offered_at")
                          or call.get("answered_at") or call.get("ended_at"))
    row.agent = row.agent or call.get("agent_name") or call.get("agent")
    row.queue = call.get("queue")
    row.caller_number = call.get("caller_e164")
    row.wait_seconds = call.get("wait_seconds")
    row.talk_seconds = call.get("talk_seconds")
    row.hold_seconds = call.get("hold_seconds")
    details = dict(row.details or {})
    details["cti"] = {k: call.get(k) for k in ("outcome", "ended_by", "transfers", "offers",
                                               "answered_at", "ended_at", "abandon_position",
                                               "direction", "dialed_number")}
    row.details = details
    if row.outcome is None and call.get("outcome") != "answered":
        row.outcome = {"abandoned": "abandon", "no_answer": "sans réponse",
                       "failed": "échec"}.get(call.get("outcome"), row.outcome)
    try:
        session.flush()
    except IntegrityError:  # another worker wrote it first: update theirs
        session.rollback()
        return record_call_end(session, call, customer_id)
    return row


def save_wrapup(session: Session, call: dict, user, form: dict) -> tuple[Interaction, bool]:
    """Store the agent's wrap-up; returns (row, first_time)."""
    row = _interaction(session, call["call_id"])
    if row is None:
        row = record_call_end(session, call, form.get("customer_id"))
    details = dict(row.details or {})
    first_time = "wrapup" not in details
    if form.get("customer_id"):
        row.customer_id = int(form["customer_id"])
    row.agent = user.display_name
    row.outcome = form.get("disposition") or row.outcome
    row.reason = form.get("reason") or None
    row.notes = form.get("notes") or None
    ended = call.get("ended_at")
    if ended and first_time:
        row.wrapup_seconds = max(0, round(datetime.now(timezone.utc).timestamp() - ended))
    details["wrapup"] = {
        "by": user.username, "satisfaction": form.get("satisfaction"),
        "offers": form.get("offers") or [], "callback_at": form.get("callback_at"),
        "articles": form.get("articles") or [],
        "script": form.get("script"),
        "saved_at": datetime.now(timezone.utc).isoformat()}
    callback_at = form.get("callback_at")
    if callback_at and row.customer_id and not details.get("callback_id"):
        cb = Callback(customer_id=row.customer_id,
                      scheduled_for=datetime.fromisoformat(callback_at),
                      reason=form.get("reason") or "Rappel", agent=user.display_name)
        session.add(cb)
        session.flush()
        details["callback_id"] = cb.id
    row.details = details
    if row.customer_id and form.get("offers"):
        record_offer_answers(session, row.customer_id, form["offers"], user.display_name,
                             call["call_id"])
    audit(session, user.username, "wrapup", row.customer_id, call_id=call["call_id"],
          disposition=row.outcome)
    session.query(CallDraft).filter_by(call_id=call["call_id"], user_id=user.id).delete()
    session.flush()
    return row, first_time


def save_draft(session: Session, call_id: str, user_id: int, data: dict) -> None:
    draft = session.scalar(select(CallDraft).where(CallDraft.call_id == call_id,
                                                   CallDraft.user_id == user_id))
    if draft is None:
        session.add(CallDraft(call_id=call_id, user_id=user_id, data=data))
    else:
        draft.data = data
    session.flush()


def get_draft(session: Session, call_id: str, user_id: int) -> dict | None:
    draft = session.scalar(select(CallDraft).where(CallDraft.call_id == call_id,
                                                   CallDraft.user_id == user_id))
    return draft.data if draft else None
