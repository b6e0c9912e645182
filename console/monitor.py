"""A terminal view of the live call flow: what a screen pop would show, as text.

Consumes the bus (PBX → cti → bus → console) and, for each call offered to an agent,
identifies the caller in the customer database and prints the record's headline. The web
console does the same in the browser; this view needs nothing but a terminal.
"""
from __future__ import annotations

import time

from console.caller_lookup import identify_caller
from cti.bus import BusReader

OUTCOMES = {"answered": "répondu", "abandoned": "abandonné", "transferred": "transféré",
            "no_answer": "sans réponse", "failed": "échec"}


def describe(event: dict, session, phone_cfg: dict) -> str | None:
    kind = event["type"]
    call = event.get("call") or {}
    stamp = time.strftime("%H:%M:%S", time.localtime(event["at"]))
    number = call.get("caller_number") or "numéro masqué"
    if kind == "call.queued":
        return f"{stamp}  ☎  {number} entre dans la file {call.get('queue')}"
    if kind == "call.offered":
        who = identify_caller(session, call.get("caller_number"), phone_cfg)
        if who.status == "identified":
            line = f"fiche client n° {who.customer_id} : {who.label}"
        elif who.status == "ambiguous":
            line = f"{len(who.candidates)} clients possibles : " + ", ".join(
                c.display_name for c in who.candidates[:3])
        else:
            line = who.label
        agent = next((o["member_name"] for o in call["offers"] if o["agent"] == event["agent"]),
                     event["agent"])
        return f"{stamp}  ▶  sonnerie chez {agent} — {number} — {line}"
    if kind == "call.answered":
        return f"{stamp}  ✆  {call.get('agent_name') or call.get('agent')} a décroché ({number})"
    if kind == "call.ended":
        outcome = OUTCOMES.get(call.get("outcome"), call.get("outcome"))
        talk = call.get("talk_seconds")
        wait = call.get("wait_seconds")
        return (f"{stamp}  ■  fin {number} : {outcome}, attente {wait if wait is not None else '-'} s"
                f", conversation {talk if talk is not None else '-'} s")
    return None


def run_monitor(cfg, redis_client, session_factory, stop=lambda: False) -> None:
    reader = BusReader(redis_client, cfg.get("cti.events_stream"))
    last = reader.state()["last_id"]
    phone_cfg = cfg.section("phone")
    while not stop():
        for entry_id, event in reader.wait(last, block_ms=500):
            last = entry_id
            with session_factory() as session:
                line = describe(event, session, phone_cfg)
            if line:
                print(line, flush=True)
