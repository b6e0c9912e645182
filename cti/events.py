"""Domain events the bridge publishes on the bus, and their JSON shapes.

Every event is a JSON object with at least::

    {"type": "<kind>", "at": <unix time, float>, "seq": <int, per bridge process>}

Call events (``call.*``) carry the whole call as it stands, so a consumer never has to
combine events and can apply the same event twice safely::

    "call": {
      "call_id": "1795342771.0",        # Asterisk Linkedid: one id for every leg of the call
      "direction": "inbound",           # inbound | outbound | internal
      "caller_number": "0612345678",    # as the PBX gave it
      "caller_e164": "+33612345678",    # null when anonymous / not a number
      "caller_name": "Jean Dupont",
      "dialed_number": null,            # outbound: the customer number dialled
      "queue": "support",
      "state": "answered",              # new | queued | ringing | answered | ended
      "offers": [{"agent": "Local/agent1@agents/n", "member_name": "Agent One",
                   "at": 1795342771.2, "result": "answered", "ring_seconds": 2}],
      "agent": "Local/agent1@agents/n", # agent now handling the call (moves on transfer)
      "agent_name": "Agent One",
      "queued_at": ..., "first_offered_at": ..., "answered_at": ..., "ended_at": ...,
      "wait_seconds": 2, "talk_seconds": 6, "hold_seconds": 0,
      "outcome": "answered",            # answered | abandoned | transferred | no_answer | failed
      "abandon_position": null, "abandon_original_position": null,
      "ended_by": "agent",              # agent | caller | transfer | null
      "transfers": [{"kind": "blind", "from_agent": "...", "to": "1002", "to_agent": "...",
                     "at": ...}]
    }

Kinds:
- ``call.queued``      the caller entered a queue
- ``call.offered``     an agent's phone rings (``agent`` = that agent): the screen-pop trigger
- ``call.offer_ended`` an offer stopped ringing without answer (``agent``, ``result``)
- ``call.answered``    an agent answered (``agent``); also after a transfer to the new agent
- ``call.transferred`` blind or attended transfer (``from_agent``, ``to_agent``)
- ``call.abandoned``   the caller hung up while queued
- ``call.ended``       every leg is gone; final figures
- ``agent.state``      ``agent`` = interface, ``agent_state`` = see AgentState.to_dict
- ``queue.stats``      ``queue`` = name, ``stats`` = figures of the day (see QueueStats)
"""
from __future__ import annotations

CALL_QUEUED = "call.queued"
CALL_OFFERED = "call.offered"
CALL_OFFER_ENDED = "call.offer_ended"
CALL_ANSWERED = "call.answered"
CALL_TRANSFERRED = "call.transferred"
CALL_ABANDONED = "call.abandoned"
CALL_ENDED = "call.ended"
AGENT_STATE = "agent.state"
QUEUE_STATS = "queue.stats"

ALL_KINDS = (CALL_QUEUED, CALL_OFFERED, CALL_OFFER_ENDED, CALL_ANSWERED, CALL_TRANSFERRED,
             CALL_ABANDONED, CALL_ENDED, AGENT_STATE, QUEUE_STATS)
