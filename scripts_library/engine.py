"""Call scripts: loading, validation with file and line, and running them step by step.

A script is a TOML file: ``id``, ``title``, what it is for (``queues``, ``campaigns``,
``reasons``), ``start``, and ``[[steps]]``. Step types:

- ``say``: ``text`` to read out, then ``next``;
- ``ask``: ``question``, ``answer`` = choice | yesno | text | number | date, ``choices`` for a
  choice, ``field`` (the answer's name, usable as ``reponses.<field>``), optional ``updates``
  (a customer field the answer fills in), then ``branches`` (answer → step) or ``next``;
- ``offer``: ``text`` presenting the record's top offer (``offre.produit``,
  ``offre.argumentaire``), ``branches`` on oui / non;
- ``objection``: ``objections`` (keys of the shared library) with their answers, then ``next``;
- ``kb``: ``article`` (a knowledge-base slug) to open, then ``next``;
- ``close``: ``outcome`` of the call; the end.

Texts are Jinja templates rendered in a sandbox with autoescaping: customer data never runs
as code or markup.
"""
from __future__ import annotations

import re
import tomllib
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment
from jinja2.runtime import ChainableUndefined

STEP_TYPES = {"say", "ask", "offer", "objection", "kb", "close"}
ANSWER_TYPES = {"choice", "yesno", "text", "number", "date"}
YESNO = ("oui", "non")
CONTEXT = {
    "client": {"civilite", "nom", "prenom", "raison_sociale", "ville", "segment", "sensible",
               "decideur", "anciennete", "type"},
    "agent": {"nom", "prenom"},
    "offre": {"produit", "raison", "argumentaire", "prix_mensuel"},
    "reponses": None,  # any answer field of the script
    "entreprise": {"nom", "telephone"},
}
TEXT_KEYS = ("text", "question")

ENV = SandboxedEnvironment(autoescape=True, undefined=ChainableUndefined)


class ScriptError(ValueError):
    pass


@dataclass
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass
class Script:
    id: str
    title: str
    start: str
    steps: dict[str, dict]
    queues: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    source: str = ""
    path: str = ""

    def targets(self, step: dict) -> list[str]:
        return list(step.get("branches", {}).values()) + ([step["next"]] if "next" in step
                                                          else [])


def load_text(text: str, path: str = "<script>") -> Script:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScriptError(f"{path}: TOML illisible : {exc}") from exc
    steps = {}
    for step in data.get("steps", []):
        if "id" not in step:
            raise ScriptError(f"{path}: une étape n'a pas d'id")
        steps[step["id"]] = step
    return Script(data.get("id", Path(path).stem), data.get("title", ""),
                  data.get("start", next(iter(steps), "")), steps, data.get("queues", []),
                  data.get("campaigns", []), data.get("reasons", []), text, path)


def load_file(path: Path) -> Script:
    return load_text(path.read_text(encoding="utf-8"), str(path))


def load_folder(folder: Path) -> dict[str, Script]:
    return {s.id: s for s in (load_file(p) for p in sorted(Path(folder).glob("*.toml")))}


def load_objections(path: Path) -> dict[str, dict]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


# ---- validation -------------------------------------------------------------------------------

def _line_of(source: str, step_id: str, key: str | None = None) -> int:
    lines = source.splitlines()
    start = next((i for i, l in enumerate(lines) if re.match(
        rf'^\s*id\s*=\s*"{re.escape(step_id)}"', l)), None)
    if start is None:
        return 1
    if key:
        for j in range(start, min(len(lines), start + 40)):
            if re.match(rf"^\s*{re.escape(key)}\s*=", lines[j]) or \
                    lines[j].strip() == f"[steps.{key}]":
                return j + 1
            if j > start and lines[j].strip() == "[[steps]]":
                break
    return start + 1


def _variables(template: str) -> list[tuple[str, str | None]]:
    """(name, attribute) pairs the template reads: ``client.nom`` → ("client", "nom")."""
    ast = ENV.parse(template)
    found = [(name, None) for name in meta.find_undeclared_variables(ast)]
    for node in ast.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            found.append((node.node.name, node.attr))
    return found


def validate(script: Script, objections: dict[str, dict] | None = None) -> list[Problem]:
    """Unreachable steps, missing or unknown branches, unknown variables — with the line."""
    problems: list[Problem] = []

    def problem(step_id, key, message):
        problems.append(Problem(script.path, _line_of(script.source, step_id, key), message))

    if script.start not in script.steps:
        problems.append(Problem(script.path, 1, f"étape de départ inconnue : {script.start!r}"))
    fields = {s.get("field") for s in script.steps.values() if s.get("field")}
    for sid, step in script.steps.items():
        kind = step.get("type")
        if kind not in STEP_TYPES:
            problem(sid, "type", f"étape {sid} : type inconnu {kind!r}")
            continue
        for target in script.targets(step):
            if target not in script.steps:
                problem(sid, "next", f"étape {sid} : renvoie vers une étape inconnue {target!r}")
        if kind == "close":
            if "next" in step or "branches" in step:
                problem(sid, "next", f"étape {sid} : une clôture ne mène nulle part")
            if not step.get("outcome"):
                problem(sid, None, f"étape {sid} : issue (outcome) manquante")
        elif kind == "ask":
            answer = step.get("answer")
            if answer not in ANSWER_TYPES:
                problem(sid, "answer", f"étape {sid} : type de réponse inconnu {answer!r}")
            expected = (step.get("choices", []) if answer == "choice" else
                        YESNO if answer == "yesno" else [])
            branches = step.get("branches", {})
            missing = [c for c in expected if c not in branches]
            if missing and "next" not in step:
                problem(sid, "branches", f"étape {sid} : pas de suite pour "
                                         f"{', '.join(map(repr, missing))}")
            if answer == "choice" and not step.get("choices"):
                problem(sid, "choices", f"étape {sid} : aucun choix proposé")
            if not expected and not step.get("next"):
                problem(sid, None, f"étape {sid} : suite (next) manquante")
        elif kind == "offer":
            if not all(k in step.get("branches", {}) for k in YESNO) and "next" not in step:
                problem(sid, "branches", f"étape {sid} : pas de suite pour oui / non")
        elif not step.get("next"):
            problem(sid, None, f"étape {sid} : suite (next) manquante")
        if kind == "objection":
            for key in step.get("objections", []):
                if objections is not None and key not in objections:
                    problem(sid, "objections", f"étape {sid} : objection inconnue {key!r}")
        for key in TEXT_KEYS:
            if key in step:
                try:
                    used = _variables(step[key])
                except Exception as exc:  # template syntax error
                    problem(sid, key, f"étape {sid} : modèle invalide ({exc})")
                    continue
                for name, attr in used:
                    if name not in CONTEXT:
                        problem(sid, key, f"étape {sid} : variable inconnue « {name} »")
                    elif attr and name == "reponses" and attr not in fields:
                        problem(sid, key, f"étape {sid} : réponse inconnue « reponses.{attr} »")
                    elif attr and CONTEXT[name] is not None and attr not in CONTEXT[name]:
                        problem(sid, key, f"étape {sid} : variable inconnue « {name}.{attr} »")
    reachable, todo = set(), deque([script.start])
    while todo:
        sid = todo.popleft()
        if sid in reachable or sid not in script.steps:
            continue
        reachable.add(sid)
        todo.extend(script.targets(script.steps[sid]))
    for sid in script.steps:
        if sid not in reachable:
            problem(sid, None, f"étape {sid} : inaccessible depuis le départ")
    return problems


# ---- running ------------------------------------------------------------------------------------

def choose(scripts: dict[str, Script], queue: str | None = None, campaign: str | None = None,
           reason: str | None = None) -> Script | None:
    """By call reason first (the agent chose it), then campaign, then queue."""
    for attr, value in (("reasons", reason), ("campaigns", campaign), ("queues", queue)):
        if value:
            for script in scripts.values():
                if value in getattr(script, attr):
                    return script
    return None


class AnswerError(ValueError):
    pass


@dataclass
class Run:
    """One pass through a script: the path taken and the answers given."""
    script: Script
    context: dict
    objections: dict[str, dict]
    current: str = ""
    path: list[str] = field(default_factory=list)
    answers: dict = field(default_factory=dict)
    outcome: str | None = None

    def __post_init__(self):
        if not self.current:
            self.current = self.script.start
            self.path = [self.current]

    def render(self, template: str) -> str:
        return ENV.from_string(template).render(**self.context, reponses=self.answers)

    def view(self) -> dict:
        """The current step as the console shows it (texts already escaped)."""
        step = self.script.steps[self.current]
        out = {"script": self.script.id, "title": self.script.title, "step": self.current,
               "type": step["type"], "finished": self.outcome is not None, "path": self.path,
               "answers": self.answers}
        for key in TEXT_KEYS:
            if key in step:
                out[key + "_html"] = self.render(step[key])
        if step["type"] == "ask":
            out["answer"] = step["answer"]
            out["choices"] = step.get("choices") or (list(YESNO) if step["answer"] == "yesno"
                                                     else [])
        if step["type"] == "offer":
            out["choices"] = list(YESNO)
        if step["type"] == "objection":
            out["objections"] = [{"key": k, "label": self.objections[k]["label"],
                                  "answer_html": self.render(self.objections[k]["answer"]),
                                  "article": self.objections[k].get("article")}
                                 for k in step.get("objections", []) if k in self.objections]
        if step["type"] == "kb":
            out["article"] = step.get("article")
        if step["type"] == "close":
            out["outcome"] = step.get("outcome")
        return out

    def answer(self, value=None) -> dict:
        """Record the answer to the current step and move on; returns the new view."""
        if self.outcome is not None:
            raise AnswerError("le script est terminé")
        step = self.script.steps[self.current]
        kind = step["type"]
        key = None
        if kind == "ask":
            value = self._check(step, value)
            self.answers[step.get("field") or step["id"]] = value
            key = value if step["answer"] in ("choice", "yesno") else None
        elif kind == "offer":
            if value not in YESNO:
                raise AnswerError("réponse attendue : oui ou non")
            self.answers[step.get("field") or step["id"]] = value
            key = value
        elif kind == "close":
            self.outcome = step.get("outcome")
            return self.view()
        nxt = step.get("branches", {}).get(key) if key is not None else None
        nxt = nxt or step.get("next")
        if nxt is None:
            raise AnswerError(f"aucune suite prévue pour {value!r}")
        self.current = nxt
        self.path.append(nxt)
        if self.script.steps[nxt]["type"] == "close":
            self.outcome = self.script.steps[nxt].get("outcome")
        return self.view()

    @staticmethod
    def _check(step: dict, value):
        kind = step["answer"]
        if kind == "choice":
            if value not in step.get("choices", []):
                raise AnswerError(f"choix inconnu : {value!r}")
            return value
        if kind == "yesno":
            if value not in YESNO:
                raise AnswerError("réponse attendue : oui ou non")
            return value
        if kind == "number":
            try:
                return float(str(value).replace(",", "."))
            except ValueError as exc:
                raise AnswerError("nombre attendu") from exc
        if kind == "date":
            try:
                return date.fromisoformat(str(value)).isoformat()
            except ValueError as exc:
                raise AnswerError("date attendue (AAAA-MM-JJ)") from exc
        text = str(value or "").strip()
        if not text:
            raise AnswerError("réponse vide")
        return text[:500]

    def state(self) -> dict:
        return {"script": self.script.id, "current": self.current, "path": self.path,
                "answers": self.answers, "outcome": self.outcome}

    @classmethod
    def restore(cls, script: Script, context: dict, objections: dict, state: dict) -> "Run":
        return cls(script, context, objections, state["current"], list(state["path"]),
                   dict(state["answers"]), state.get("outcome"))
