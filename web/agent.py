"""The téléconseiller's screen."""
from flask import Blueprint, render_template
from flask_login import current_user

from web.db import cfg, interface_of, roles_required

bp = Blueprint("agent", __name__, url_prefix="/agent")


@bp.get("/")
@roles_required("agent")
def screen():
    web = cfg().section("web")
    return render_template("agent.html", interface=interface_of(current_user),
                           pause_reasons=web["pause_reasons"], dispositions=web["dispositions"],
                           call_reasons=web["call_reasons"],
                           transfer_targets=web["transfer_targets"])
