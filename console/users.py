"""Console users: creation and password checks (scrypt hashes from werkzeug)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from console.models import User
from console.models.users import ROLES


class UserError(ValueError):
    pass


def create_user(session: Session, username: str, password: str, display_name: str,
                role: str = "agent", extension: str | None = None,
                queues: list[str] | None = None) -> User:
    username = (username or "").strip().lower()
    if not username or not username.replace(".", "").replace("-", "").isalnum():
        raise UserError("identifiant invalide (lettres, chiffres, . et -)")
    if role not in ROLES:
        raise UserError(f"rôle inconnu : {role}")
    if len(password or "") < 8:
        raise UserError("mot de passe trop court (8 caractères au moins)")
    if role == "agent" and not (extension or "").isdigit():
        raise UserError("un agent a besoin d'un poste (extension numérique)")
    if session.scalar(select(User).where(User.username == username)):
        raise UserError(f"l'identifiant {username} existe déjà")
    user = User(username=username, display_name=display_name.strip() or username,
                password_hash=generate_password_hash(password), role=role,
                extension=extension or None, queues=list(queues or []))
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == (username or "").strip().lower()))
    if user is None or not user.active:
        # same work as a real check, so that timing does not tell which usernames exist
        check_password_hash(generate_password_hash("x"), password or "")
        return None
    return user if check_password_hash(user.password_hash, password or "") else None


def user_for_interface(session: Session, interface: str, template: str) -> User | None:
    for user in session.scalars(select(User).where(User.extension.is_not(None))):
        if template.format(extension=user.extension) == interface:
            return user
    return None
