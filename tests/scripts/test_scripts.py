"""Call scripts: the shipped ones are valid, broken ones are caught with file and line, runs
record the path and the answers, templates are sandboxed and escaped."""
from __future__ import annotations

import subprocess
import sys

import pytest

from config import PROJECT_ROOT
from scripts_library.engine import (AnswerError, Run, choose, load_folder, load_objections,
                                    load_text, validate)

FOLDER = PROJECT_ROOT / "scripts_library" / "scripts"
OBJECTIONS = load_objections(PROJECT_ROOT / "scripts_library" / "objections.toml")
CONTEXT = {"client": {"civilite": "M.", "nom": "Dupont", "sensible": False},
           "agent": {"prenom": "Sophie"},
           "offre": {"produit": "Livret A", "argumentaire": "Disponible à tout moment.",
                     "raison": "épargne"}}


def test_shipped_scripts_are_valid_and_cover_the_brief():
    scripts = load_folder(FOLDER)
    assert {"accueil-entrant", "reclamation", "prospection-sortante", "vente-additionnelle",
            "fidelisation-reconquete", "enquete-satisfaction"} <= set(scripts)
    for script in scripts.values():
        assert validate(script, OBJECTIONS) == [], script.id
    kinds = {s["type"] for script in scripts.values() for s in script.steps.values()}
    assert kinds == {"say", "ask", "offer", "objection", "kb", "close"}
    assert set(OBJECTIONS) == {"trop_cher", "pas_le_temps", "documentation", "deja_equipe",
                               "barrage"}


BROKEN = '''id = "casse"
title = "Script cassé"
start = "a"

[[steps]]
id = "a"
type = "ask"
question = "Bonjour {{ client.nom }} {{ clinet.nom }} {{ client.age }}"
answer = "choice"
choices = ["x", "y"]
[steps.branches]
x = "b"

[[steps]]
id = "b"
type = "say"
text = "Suite {{ reponses.inconnue }}"
next = "nulle-part"

[[steps]]
id = "orphelin"
type = "close"
outcome = "jamais"
'''


def test_validation_reports_each_problem_with_its_line(tmp_path):
    path = tmp_path / "casse.toml"
    path.write_text(BROKEN)
    problems = [str(p) for p in validate(load_text(BROKEN, str(path)), OBJECTIONS)]
    assert f"{path}:11: étape a : pas de suite pour 'y'" in problems
    assert f"{path}:8: étape a : variable inconnue « clinet »" in problems
    assert f"{path}:8: étape a : variable inconnue « client.age »" in problems
    assert f"{path}:17: étape b : réponse inconnue « reponses.inconnue »" in problems
    assert f"{path}:18: étape b : renvoie vers une étape inconnue 'nulle-part'" in problems
    assert f"{path}:21: étape orphelin : inaccessible depuis le départ" in problems
    # the command-line validator exits non-zero and prints them
    run = subprocess.run([sys.executable, "-m", "relais", "scripts-validate", str(path)],
                         capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert run.returncode == 1
    assert f"{path}:21: étape orphelin : inaccessible depuis le départ" in run.stdout
    ok = subprocess.run([sys.executable, "-m", "relais", "scripts-validate"],
                        capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert ok.returncode == 0, ok.stdout


def test_run_records_path_and_answers_and_checks_types():
    script = load_folder(FOLDER)["accueil-entrant"]
    run = Run(script, CONTEXT, OBJECTIONS)
    view = run.view()
    assert view["text_html"] == "Banque Horizon, Sophie à votre écoute. Bonjour M. Dupont."
    run.answer()
    with pytest.raises(AnswerError):
        run.answer("peut-être")
    run.answer("oui")
    run.answer("information")
    run.answer("non")
    with pytest.raises(AnswerError, match="date"):
        run.answer("demain")
    run.answer("2026-11-25")
    run.answer("non")
    view = run.answer("4")
    assert view["finished"] and run.outcome == "demande traitée"
    assert run.path == ["accueil", "identite", "nature", "reponse_immediate", "recherche",
                        "intervention", "satisfaction", "fin"]
    assert run.answers == {"identite_verifiee": "oui", "nature": "information",
                           "reponse_immediate": "non", "delai_reponse": "2026-11-25",
                           "intervention": "non", "satisfaction": 4.0}
    again = Run.restore(script, CONTEXT, OBJECTIONS, run.state())
    assert again.path == run.path and again.outcome == run.outcome


def test_templates_are_escaped_and_sandboxed():
    script = load_text('''id = "t"
start = "a"
[[steps]]
id = "a"
type = "say"
text = "Bonjour {{ client.nom }} {{ client.nom.__class__.__mro__ }}"
next = "b"
[[steps]]
id = "b"
type = "close"
outcome = "ok"
''')
    context = dict(CONTEXT, client={"nom": "<script>alert(1)</script>"})
    from jinja2.exceptions import SecurityError
    try:
        html = Run(script, context, OBJECTIONS).view()["text_html"]
    except SecurityError:
        return  # the sandbox refused to walk into Python internals
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "mro" not in html.lower() or "object" not in html


def test_objection_step_shows_the_library_answers():
    script = load_folder(FOLDER)["prospection-sortante"]
    run = Run(script, CONTEXT, OBJECTIONS)
    view = run.answer("non")
    assert view["type"] == "objection"
    [barrage] = view["objections"]
    assert barrage["label"] == "Le standard ne veut pas passer l'appel"
    assert "le dirigeant" in barrage["answer_html"]


def test_script_is_chosen_by_reason_campaign_or_queue():
    scripts = load_folder(FOLDER)
    assert choose(scripts, queue="support").id == "accueil-entrant"
    assert choose(scripts, queue="support", reason="Réclamation").id == "reclamation"
    assert choose(scripts, campaign="prospection").id == "prospection-sortante"
    assert choose(scripts, queue="inconnue") is None
