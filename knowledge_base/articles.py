"""Articles as Markdown files with a TOML front matter between ``+++`` lines."""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,80}$")


class ArticleError(ValueError):
    pass


@dataclass
class Article:
    slug: str
    title: str
    body: str
    tags: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    audience: str = "agents"
    updated: date = field(default_factory=date.today)

    @property
    def digest(self) -> str:
        """Changes when anything indexed changes (used to skip re-embedding)."""
        text = "\n".join([self.title, " ".join(self.tags), " ".join(self.products), self.body])
        return hashlib.sha1(text.encode()).hexdigest()

    def to_markdown(self) -> str:
        def toml_list(items):
            return "[" + ", ".join('"' + i.replace('"', "'") + '"' for i in items) + "]"
        title = self.title.replace('"', "'")
        return (f'+++\ntitle = "{title}"\ntags = {toml_list(self.tags)}\n'
                f'products = {toml_list(self.products)}\naudience = "{self.audience}"\n'
                f"updated = {self.updated.isoformat()}\n+++\n{self.body.strip()}\n")

    def to_dict(self) -> dict:
        return {"slug": self.slug, "title": self.title, "body": self.body, "tags": self.tags,
                "products": self.products, "audience": self.audience,
                "updated": self.updated.isoformat()}


def parse(slug: str, text: str) -> Article:
    if not SLUG.match(slug):
        raise ArticleError(f"identifiant d'article invalide : {slug!r}")
    if not text.startswith("+++"):
        raise ArticleError(f"{slug}: l'en-tête +++ … +++ manque")
    try:
        _, front, body = text.split("+++", 2)
        meta = tomllib.loads(front)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ArticleError(f"{slug}: en-tête illisible ({exc})") from exc
    if not meta.get("title"):
        raise ArticleError(f"{slug}: titre manquant")
    updated = meta.get("updated", date.today())
    return Article(slug, meta["title"], body.strip(), list(meta.get("tags", [])),
                   list(meta.get("products", [])), meta.get("audience", "agents"),
                   updated if isinstance(updated, date) else date.fromisoformat(str(updated)))


def load_dir(folder: Path) -> dict[str, Article]:
    return {p.stem: parse(p.stem, p.read_text(encoding="utf-8"))
            for p in sorted(Path(folder).glob("*.md"))}


def slugify(title: str) -> str:
    import unicodedata
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "article"
