"""CSV import: validation, normalisation, deduplication, report and atomicity (both databases)."""
import csv

import pytest
from sqlalchemy import func, select

from console.importer import CustomerImporter, ImportFailed
from console.models import AuditEntry, Customer, Phone
from tests.factories import person

HEADER = "civilite;nom;prenom;raison sociale;siret;email;telephone;fixe;adresse;code postal;ville;date de naissance\n"


def run(session, cfg, text, encoding="utf-8", **import_cfg):
    importer = CustomerImporter(session, "test", cfg.section("phone"),
                                dict(cfg.section("import"), **import_cfg))
    return importer.run(text.encode(encoding) if isinstance(text, str) else text)


def count(session, model=Customer):
    return session.scalar(select(func.count()).select_from(model))


def test_valid_rows_are_normalised(session, cfg):
    report = run(session, cfg, HEADER +
                 "Mme;Durand;Élise;;;Elise.Durand@Example.fr;06.98.76.54.32;;12, avenue du Général-de-Gaulle;69003;Lyon;31/12/1980\n"
                 ";;;Garage Dubois;732 829 320 00074;;+33 4 78 00 00 00;;3 rue Pasteur;69100;Villeurbanne;\n")
    assert report.summary == {"lignes": 2, "crees": 2, "fusionnes": 0, "rejetes": 0}
    elise = session.scalars(select(Customer).where(Customer.last_name == "Durand")).one()
    assert elise.email == "elise.durand@example.fr"
    assert [(p.e164, p.kind) for p in elise.phones] == [("+33698765432", "mobile")]
    address = elise.addresses[0]
    assert (address.line1, address.postcode, address.city) == (
        "12 AVENUE DU GENERAL DE GAULLE", "69003", "LYON")
    assert elise.birth_date.isoformat() == "1980-12-31"
    garage = session.scalars(select(Customer).where(Customer.kind == "company")).one()
    assert garage.siret == "73282932000074"
    assert garage.phones[0].kind == "standard"


def test_broken_rows_are_rejected_with_reasons_and_others_kept(session, cfg, tmp_path):
    report = run(session, cfg, HEADER +
                 "M.;Martin;Paul;;;paul@@mail;0612;;;;;\n"
                 "M.;;;;;;0612345678;;;;;\n"
                 "M.;Petit;Luc;;;;;;5 rue Haute;7500;Paris;1990-02-30\n"
                 "M.;Bon;Jean;;;;0611111111;;;;;\n"
                 "M.;Court;Al\n")
    assert report.summary == {"lignes": 5, "crees": 1, "fusionnes": 0, "rejetes": 4}
    reasons = {o.line: o.reason for o in report.outcomes if o.status == "rejected"}
    assert "e-mail invalide" in reasons[2] and "téléphone invalide" in reasons[2]
    assert reasons[3] == "nom ou raison sociale manquant"
    assert "code postal invalide" in reasons[4] and "date illisible" in reasons[4]
    assert reasons[6] == "3 colonnes au lieu de 12"
    assert count(session) == 1
    path = tmp_path / "report.csv"
    report.write_csv(path)
    rows = list(csv.reader(path.open(encoding="utf-8"), delimiter=";"))
    assert rows[0] == ["ligne", "statut", "motif", "client"]
    assert [r[:2] for r in rows[1:]] == [["2", "rejeté"], ["3", "rejeté"], ["4", "rejeté"],
                                         ["5", "créé"], ["6", "rejeté"]]


def test_duplicates_against_database_are_merged(session, cfg):
    jean = person(session, email="jean.dupont@example.fr", postcode="75009")
    marie = person(session, "Marie", "Curie", phones=("0611111111",), postcode="75005")
    helene = person(session, "Hélène", "Lefèvre", phones=("0622222222",), postcode="29200")
    session.commit()
    report = run(session, cfg, HEADER +
                 # same e-mail: adds the landline
                 "M.;Dupont;Jean;;;JEAN.DUPONT@example.fr;;01 45 67 89 01;;;;\n"
                 # same mobile, other spelling of the name
                 "Mme;Curie-Sklodowska;Marie;;;;+33 6 11 11 11 11;;;;;\n"
                 # fuzzy name + same postcode (no accents, inverted order)
                 "Mme;Helene;Lefevre;;;;;;9 rue de Siam;29200;Brest;\n"
                 # same name, other postcode: a different person
                 "Mme;Lefèvre;Hélène;;;;;;1 rue Nationale;59000;Lille;\n")
    statuses = [(o.line, o.status, o.customer_id) for o in report.outcomes]
    assert statuses[:3] == [(2, "merged", jean.id), (3, "merged", marie.id),
                            (4, "merged", helene.id)]
    assert statuses[3][1] == "created"
    assert "même e-mail" in report.outcomes[0].reason
    assert "même numéro +33611111111" in report.outcomes[1].reason
    assert "nom proche" in report.outcomes[2].reason
    session.refresh(jean)
    assert {p.e164 for p in jean.phones} == {"+33612345678", "+33145678901"}
    session.refresh(helene)
    assert helene.addresses[0].city == "PARIS"  # existing data is never overwritten
    merges = session.scalars(select(AuditEntry).where(AuditEntry.action == "merge")).all()
    assert {m.customer_id for m in merges} == {jean.id, marie.id, helene.id}


def test_duplicates_inside_the_file(session, cfg):
    report = run(session, cfg, HEADER +
                 "M.;Roux;Lucas;;;lucas@example.fr;0633333333;;;;;\n"
                 "M.;Roux;Lucas;;;lucas@example.fr;;;4 rue Verte;44000;Nantes;\n")
    assert [o.status for o in report.outcomes] == ["created", "merged"]
    lucas = session.scalars(select(Customer)).one()
    assert lucas.addresses[0].city == "NANTES"


def test_shared_landline_is_not_a_duplicate(session, cfg):
    person(session, "Hélène", "Lefèvre", phones=("0298765432",), postcode="29200")
    report = run(session, cfg, HEADER + "M.;Lefèvre;Éric;;;;;02 98 76 54 32;;;;\n")
    assert report.outcomes[0].status == "created"
    assert count(session, Phone) == 2


def test_report_mode_rejects_duplicates(session, cfg):
    jean = person(session, email="jean@example.fr")
    report = run(session, cfg, HEADER + "M.;Dupont;Jean;;;jean@example.fr;;;;;;\n",
                 on_duplicate="report")
    assert (report.outcomes[0].status, report.outcomes[0].customer_id) == ("rejected", jean.id)


@pytest.mark.parametrize("data, message", [
    ("nom;prenom\nDurand;Élise\n".encode("latin-1"), "encodage"),
    (b"prenom;ville\nJean;Paris\n", "colonne obligatoire"),
    (b"", "vide"),
    (('nom;prenom\nDurand;Elise\nMartin;"Paul\n' * 1).encode(), "CSV mal formé"),
])
def test_broken_file_imports_nothing(session, cfg, data, message):
    person(session)
    session.commit()
    with pytest.raises(ImportFailed, match=message):
        run(session, cfg, data)
    assert count(session) == 1
    assert count(session, AuditEntry) == 0


def test_failure_midway_rolls_back_everything(session, cfg, monkeypatch):
    """A crash on row 3 (here: a database error) leaves rows 1-2 unwritten too."""
    importer = CustomerImporter(session, "test", cfg.section("phone"), cfg.section("import"))
    original = importer._create
    calls = []

    def flaky(row):
        calls.append(row)
        if len(calls) == 3:
            raise RuntimeError("disque plein")
        return original(row)

    monkeypatch.setattr(importer, "_create", flaky)
    text = HEADER + "".join(f"M.;Nom{i};P;;;;06000000{i:02d};;;;;\n" for i in range(5))
    with pytest.raises(RuntimeError):
        importer.run(text.encode())
    assert count(session) == 0


def test_comma_separated_files_and_header_aliases(session, cfg):
    report = run(session, cfg, "Nom,Prénom,Portable,E-mail\nGirard,Camille,0644444444,c@g.fr\n")
    assert report.summary["crees"] == 1
    assert session.scalars(select(Phone.e164)).one() == "+33644444444"


def test_a_field_longer_than_its_column_rejects_the_row_not_the_file(session, cfg):
    """PostgreSQL refuses a value longer than its column (and would fail the whole import);
    the row is rejected with the reason, the others are imported, on both databases."""
    long_name = "Vandenbroucke-" * 8                       # 112 characters, 100 at most
    report = run(session, cfg, HEADER +
                 f"M.;{long_name};Paul;;;;0612345678;;;;;\n"
                 "Mme;Durand;Élise;;;;0698765432;;;;;\n")
    assert report.summary == {"lignes": 2, "crees": 1, "fusionnes": 0, "rejetes": 1}
    assert report.outcomes[0].reason == "nom trop long : 112 caractères, 100 au plus"
    assert count(session) == 1
