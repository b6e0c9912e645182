"""Relais web console: Flask app factory (blueprints auth, agent, supervisor, admin, api)."""
from __future__ import annotations

import secrets

from flask import Flask, g

from config import load_config


def _secret_key(cfg) -> str:
    key = cfg.get("web.secret_key")
    if key:
        return key
    path = cfg.var_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(cfg=None, start_consumer: bool = True, message_queue: bool | None = None
               ) -> Flask:
    """``message_queue`` (default: ``[web] socketio_message_queue``) shares Socket.IO rooms
    across web processes through Redis."""
    from config.redis_service import connect, redis_url
    from console.services import session_factory
    from cti.bus import CommandClient
    from web import admin, agent, api, auth, kb, kb_admin, scripts, supervisor
    from web.extensions import csrf, login_manager, socketio
    from web.live import LiveHub
    import web.sockets  # noqa: F401  (registers the Socket.IO handlers)

    cfg = cfg or load_config()
    app = Flask(__name__)
    app.config.update(SECRET_KEY=_secret_key(cfg), SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_TIME_LIMIT=None,
                      MAX_CONTENT_LENGTH=5 * 1024 * 1024)
    app.extensions["relais.cfg"] = cfg
    app.extensions["relais.sessions"] = session_factory(cfg)
    redis_client = connect(cfg)
    app.extensions["relais.redis"] = redis_client
    app.extensions["relais.commands"] = CommandClient(redis_client,
                                                      cfg.get("cti.commands_stream"),
                                                      cfg.get("cti.command_timeout_seconds"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à la console."
    if message_queue is None:
        message_queue = bool(cfg.get("web.socketio_message_queue", False))
    socketio.init_app(app, async_mode="threading",
                      message_queue=redis_url(cfg) if message_queue else None,
                      cors_allowed_origins=[])
    for blueprint in (auth.bp, agent.bp, supervisor.bp, admin.bp, api.bp, kb.bp, kb_admin.bp,
                      scripts.bp):
        app.register_blueprint(blueprint)

    @app.teardown_appcontext
    def _close_db(exc):
        db = g.pop("db", None)
        if db is not None:
            if exc is not None:
                db.rollback()
            db.close()

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self' ws: wss:")
        return response

    hub = LiveHub(app, cfg, redis_client)
    app.extensions["relais.hub"] = hub
    if start_consumer:
        hub.start()
    return app
