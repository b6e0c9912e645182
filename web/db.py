"""Per-request database session and shared helpers for the blueprints."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, g
from flask_login import current_user, login_required


def db():
    if "db" not in g:
        g.db = current_app.extensions["relais.sessions"]()
    return g.db


def cfg():
    return current_app.extensions["relais.cfg"]


def commands():
    return current_app.extensions["relais.commands"]


def hub():
    return current_app.extensions["relais.hub"]


def interface_of(user) -> str | None:
    if not user.extension:
        return None
    return cfg().get("cti.agent_interface").format(extension=user.extension)


def roles_required(*roles):
    """Only these roles (admin passes everywhere)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if current_user.role not in roles and current_user.role != "admin":
                abort(403)
            return view(*args, **kwargs)
        return wrapper
    return decorator
