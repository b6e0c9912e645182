"""Administration: console users and the audit trail."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from console.calls import audit
from console.models import AuditEntry, User
from console.users import UserError, create_user
from web.db import db, roles_required
from web.forms import UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users", methods=["GET", "POST"])
@roles_required("admin")
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            user = create_user(db(), form.username.data, form.password.data,
                               form.display_name.data, form.role.data,
                               form.extension.data or None,
                               [q.strip() for q in (form.queues.data or "").split(",")
                                if q.strip()])
        except UserError as exc:
            flash(str(exc), "error")
        else:
            audit(db(), current_user.username, "create_user", None, username=user.username)
            db().commit()
            flash(f"Compte {user.username} créé.", "info")
            return redirect(url_for("admin.users"))
    rows = db().scalars(select(User).order_by(User.username)).all()
    return render_template("admin_users.html", form=form, users=rows)


@bp.get("/audit")
@roles_required("admin")
def audit_log():
    rows = db().scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(200)).all()
    return render_template("admin_audit.html", entries=rows)
