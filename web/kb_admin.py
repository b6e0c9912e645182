"""Knowledge-base administration: create, edit and delete articles, with a change history.
Articles stay Markdown files; the indexes follow incrementally."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from console.models import ArticleRevision
from knowledge_base.articles import Article, ArticleError, parse, slugify
from web.db import db, roles_required
from web.kb import knowledge_base

bp = Blueprint("kb_admin", __name__, url_prefix="/admin/kb")


def _split(text: str) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


@bp.get("/")
@roles_required("admin")
def index():
    kb = knowledge_base()
    history = db().scalars(select(ArticleRevision).order_by(ArticleRevision.id.desc())
                           .limit(30)).all()
    return render_template("kb_index.html", articles=sorted(kb.articles.values(),
                                                            key=lambda a: a.title),
                           history=history)


@bp.route("/edit/<slug>", methods=["GET", "POST"])
@bp.route("/new", methods=["GET", "POST"], defaults={"slug": None})
@roles_required("admin")
def edit(slug: str | None):
    kb = knowledge_base()
    article = kb.articles.get(slug) if slug else None
    if slug and article is None:
        abort(404)
    if request.method == "POST":
        title = request.form.get("title", "").strip()
        new_slug = slug or slugify(title)
        if not slug and new_slug in kb.articles:
            flash(f"Un article « {new_slug} » existe déjà.", "error")
        else:
            candidate = Article(new_slug, title, request.form.get("body", "").strip(),
                                _split(request.form.get("tags")),
                                _split(request.form.get("products")),
                                request.form.get("audience", "agents"), date.today())
            try:
                parse(new_slug, candidate.to_markdown())  # the file will read back
                if not title or not candidate.body:
                    raise ArticleError("titre et texte obligatoires")
            except ArticleError as exc:
                flash(str(exc), "error")
            else:
                (kb.articles_dir / f"{new_slug}.md").write_text(candidate.to_markdown(),
                                                                encoding="utf-8")
                db().add(ArticleRevision(slug=new_slug, action="update" if slug else "create",
                                         author=current_user.username,
                                         content=candidate.to_markdown()))
                db().commit()
                kb.reload()
                flash("Article enregistré et indexé.", "info")
                return redirect(url_for("kb_admin.edit", slug=new_slug))
        article = Article(slug or "nouvel-article", request.form.get("title", ""),
                          request.form.get("body", ""), _split(request.form.get("tags")),
                          _split(request.form.get("products")))
    history = db().scalars(select(ArticleRevision).where(ArticleRevision.slug == slug)
                           .order_by(ArticleRevision.id.desc())).all() if slug else []
    return render_template("kb_edit.html", article=article, slug=slug, history=history)


@bp.post("/delete/<slug>")
@roles_required("admin")
def delete(slug: str):
    kb = knowledge_base()
    if slug not in kb.articles:
        abort(404)
    path = kb.articles_dir / f"{slug}.md"
    db().add(ArticleRevision(slug=slug, action="delete", author=current_user.username,
                             content=path.read_text(encoding="utf-8")))
    db().commit()
    path.unlink()
    kb.reload()
    flash(f"Article « {slug} » supprimé (il reste dans l'historique).", "info")
    return redirect(url_for("kb_admin.index"))
