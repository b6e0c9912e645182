"""Socket.IO: authenticated connections only; each agent joins only their own room."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user
from flask_socketio import emit, join_room

from console.calls import get_draft
from web.db import db, interface_of
from web.extensions import socketio
from web.live import SUPERVISORS, agent_room


@socketio.on("connect")
def on_connect(auth=None):
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("authentification requise")
    hub = current_app.extensions["relais.hub"]
    if current_user.role in ("supervisor", "admin"):
        join_room(SUPERVISORS)
    interface = interface_of(current_user)
    if interface:
        join_room(agent_room(interface))
        state = hub.agent_state(interface)
        if state:
            emit("agent_state", state)  # to this connection only
        pop = hub.pop_for(interface)
        if pop:
            pop = dict(pop, draft=get_draft(db(), pop["call_id"], current_user.id),
                       restored=True)
            call = hub.call(pop["call_id"])
            if call:
                pop["call"] = call
            emit("pop", pop)
    db().close()
