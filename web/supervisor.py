"""The superviseur's live view of queues and agents."""
from flask import Blueprint, render_template

from web.db import cfg, roles_required

bp = Blueprint("supervisor", __name__, url_prefix="/supervision")


@bp.get("/")
@roles_required("supervisor")
def dashboard():
    return render_template("supervisor.html",
                           service_level_seconds=cfg().get("cti.service_level_seconds"))


@bp.get("/portefeuille")
@roles_required("supervisor")
def portfolio():
    from console.segmentation.reports import bubbles, distributions
    from web.charts import bar_chart, bubble_chart
    from web.db import db
    charts = {title: bar_chart(rows) for title, rows in distributions(db()).items()}
    return render_template("portfolio.html", charts=charts, bubbles=bubble_chart(bubbles(db())))
