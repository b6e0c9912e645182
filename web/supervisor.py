"""The superviseur's live view of queues and agents."""
from flask import Blueprint, render_template

from web.db import cfg, roles_required

bp = Blueprint("supervisor", __name__, url_prefix="/supervision")


@bp.get("/")
@roles_required("supervisor")
def dashboard():
    return render_template("supervisor.html",
                           service_level_seconds=cfg().get("cti.service_level_seconds"))
