"""Login and logout. An agent's login puts their phone in their queues; logout takes it out."""
from __future__ import annotations

import logging

import redis
from flask import (Blueprint, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user, login_required, login_user, logout_user

from console.calls import audit
from console.models import User
from console.users import authenticate
from cti.bus import CommandError
from web.db import cfg, commands, db, interface_of
from web.extensions import login_manager
from web.forms import LoginForm

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str):
    try:
        return db().get(User, int(user_id))
    except ValueError:
        return None


def home_for(user) -> str:
    return url_for("supervisor.dashboard" if user.role in ("supervisor", "admin")
                   else "agent.screen")


def _attempts_key(username: str) -> str:
    return f"relais:login:{request.remote_addr}:{username.lower()}"


def _blocked(username: str) -> bool:
    """Too many failed attempts for this username from this address, in the window."""
    try:
        failures = int(current_app.extensions["relais.redis"].get(_attempts_key(username)) or 0)
    except redis.RedisError:
        return False  # the limit needs Redis; never lock everyone out while it restarts
    return failures >= cfg().get("web.login_attempts")


def _failed(username: str) -> None:
    r = current_app.extensions["relais.redis"]
    try:
        pipe = r.pipeline()
        pipe.incr(_attempts_key(username))
        pipe.expire(_attempts_key(username), cfg().get("web.login_window_seconds"))
        pipe.execute()
    except redis.RedisError:
        pass


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        if _blocked(form.username.data):
            flash("Trop de tentatives : réessayez dans quelques minutes.", "error")
            return render_template("login.html", form=form), 429
        user = authenticate(db(), form.username.data, form.password.data)
        if user is None:
            _failed(form.username.data)
            flash("Identifiant ou mot de passe incorrect.", "error")
            return render_template("login.html", form=form), 401
        if form.extension.data and form.extension.data != user.extension:
            user.extension = form.extension.data
        login_user(user)
        audit(db(), user.username, "login", None, extension=user.extension)
        db().commit()
        if user.role == "agent" and user.queues:
            try:
                commands().request("queue_login", interface=interface_of(user),
                                   queues=user.queues, member_name=user.display_name)
            except CommandError as exc:
                flash(f"Connexion aux files impossible : {exc}", "error")
        return redirect(home_for(user))
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    if user.role == "agent" and user.queues:
        try:
            commands().request("queue_logout", interface=interface_of(user), queues=user.queues)
        except CommandError as exc:
            log.warning("logout of %s from the queues failed: %s", user.username, exc)
    audit(db(), user.username, "logout", None)
    db().commit()
    logout_user()
    flash("Vous êtes déconnecté(e).", "info")
    return redirect(url_for("auth.login"))


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))
