"""Customer import from CSV: validate, normalise, deduplicate, merge, report.

Guarantees:
- every row ends up in the report as created, merged or rejected, with its reason;
- the whole file is imported in one transaction: a file that cannot be read (encoding,
  missing columns, broken quoting) leaves the database exactly as it was;
- duplicates are found against the database and inside the file: same e-mail, same mobile
  number (E.164), or a similar name at the same postcode. A shared landline alone is not a
  duplicate (households and switchboards share them).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.models import Address, AuditEntry, Customer, Phone
from console.phones import InvalidPhoneNumber, normalize
from console.quality import (name_similarity, normalize_address_line, parse_date, strip_accents,
                             valid_email, valid_postcode, valid_siret)

# Canonical column -> accepted header spellings (compared without accents, case or spaces).
COLUMNS = {
    "civilite": ["civilite", "civ", "titre"],
    "nom": ["nom", "nom de famille", "last_name"],
    "prenom": ["prenom", "first_name"],
    "raison_sociale": ["raison sociale", "raison_sociale", "societe", "entreprise"],
    "siret": ["siret"],
    "email": ["email", "e-mail", "courriel", "mail"],
    "telephone": ["telephone", "tel", "mobile", "portable", "telephone 1"],
    "telephone2": ["telephone2", "telephone 2", "tel2", "fixe"],
    "adresse": ["adresse", "adresse 1", "rue"],
    "complement": ["complement", "adresse 2", "complement d'adresse"],
    "code_postal": ["code postal", "code_postal", "cp"],
    "ville": ["ville", "commune"],
    "date_naissance": ["date de naissance", "date_naissance", "naissance"],
}
MOBILE_PREFIXES = ("+336", "+337")


class ImportFailed(Exception):
    """The file as a whole could not be imported; nothing was written."""


@dataclass
class RowOutcome:
    line: int
    status: str  # created | merged | rejected
    reason: str
    customer_id: int | None = None


@dataclass
class ImportReport:
    outcomes: list[RowOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def summary(self) -> dict:
        return {"lignes": len(self.outcomes), "crees": self.count("created"),
                "fusionnes": self.count("merged"), "rejetes": self.count("rejected")}

    def write_csv(self, path: str | Path) -> None:
        labels = {"created": "créé", "merged": "fusionné", "rejected": "rejeté"}
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(["ligne", "statut", "motif", "client"])
            for o in self.outcomes:
                writer.writerow([o.line, labels[o.status], o.reason, o.customer_id or ""])


class RowError(ValueError):
    pass


@dataclass
class CleanRow:
    kind: str
    civility: str | None
    last_name: str | None
    first_name: str | None
    company_name: str | None
    siret: str | None
    email: str | None
    phones: list[tuple[str, str]]  # (raw, e164)
    address: dict | None
    birth_date: object

    @property
    def full_name(self) -> str:
        if self.kind == "company":
            return self.company_name or ""
        return " ".join(p for p in (self.first_name, self.last_name) if p)


def _header_key(text: str) -> str:
    return " ".join(strip_accents(text).lower().replace("_", " ").split())


def _map_headers(headers: list[str]) -> dict[str, int]:
    lookup = {_header_key(alias): canon for canon, aliases in COLUMNS.items()
              for alias in aliases + [canon]}
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        canon = lookup.get(_header_key(header))
        if canon and canon not in mapping:
            mapping[canon] = index
    if "nom" not in mapping and "raison_sociale" not in mapping:
        raise ImportFailed("colonne obligatoire absente : « nom » ou « raison sociale »")
    return mapping


# Free-text fields kept as they are: longer than their column, PostgreSQL refuses the whole
# import (SQLite would store it silently); the row is rejected with the reason instead.
FREE_TEXT = {"civilite": ("civility", "civilité"), "nom": ("last_name", "nom"),
             "prenom": ("first_name", "prénom"),
             "raison_sociale": ("company_name", "raison sociale"), "email": ("email", "e-mail")}


def _max_length(column: str) -> int | None:
    return getattr(Customer.__table__.c[column].type, "length", None)


def clean_row(values: dict[str, str], region: str) -> CleanRow:
    """Validate and normalise one row, or raise RowError with every problem found."""
    get = lambda k: (values.get(k) or "").strip() or None  # noqa: E731
    errors: list[str] = []
    company = get("raison_sociale")
    last = get("nom")
    if not company and not last:
        errors.append("nom ou raison sociale manquant")
    email = get("email")
    if email:
        email = email.lower()
        if not valid_email(email):
            errors.append(f"e-mail invalide : {email}")
    siret = get("siret")
    if siret:
        siret = siret.replace(" ", "")
        if not valid_siret(siret):
            errors.append(f"SIRET invalide : {siret}")
    phones: list[tuple[str, str]] = []
    for key in ("telephone", "telephone2"):
        raw = get(key)
        if raw:
            try:
                e164 = normalize(raw, region)
            except InvalidPhoneNumber:
                errors.append(f"téléphone invalide : {raw}")
            else:
                if e164 not in [p[1] for p in phones]:
                    phones.append((raw, e164))
    address = None
    line1, postcode, city = get("adresse"), get("code_postal"), get("ville")
    if line1 or postcode or city:
        if postcode and not valid_postcode(postcode.replace(" ", "")):
            errors.append(f"code postal invalide : {postcode}")
        if not (line1 and postcode and city):
            errors.append("adresse incomplète (adresse, code postal et ville requis)")
        address = {"line1": normalize_address_line(line1),
                   "line2": normalize_address_line(get("complement")),
                   "postcode": postcode.replace(" ", "") if postcode else None,
                   "city": normalize_address_line(city)}
    for name, (column, label) in FREE_TEXT.items():
        value, limit = get(name), _max_length(column)
        if value and limit and len(value) > limit:
            errors.append(f"{label} trop long : {len(value)} caractères, {limit} au plus")
    birth = None
    if get("date_naissance"):
        try:
            birth = parse_date(get("date_naissance"))
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise RowError("; ".join(errors))
    return CleanRow("company" if company else "person", get("civilite"),
                    last,
                    get("prenom"), company, siret, email, phones, address, birth)


class CustomerImporter:
    def __init__(self, session: Session, actor: str, phone_cfg: dict, import_cfg: dict):
        self.session = session
        self.actor = actor
        self.region = phone_cfg.get("default_region", "FR")
        self.threshold = float(import_cfg.get("fuzzy_name_threshold", 90))
        self.merge = import_cfg.get("on_duplicate", "merge") == "merge"

    # ---- reading -------------------------------------------------------------------------
    def read(self, data: bytes) -> Iterable[tuple[int, dict[str, str]]]:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFailed(f"fichier illisible : encodage non UTF-8 (octet {exc.start})") from exc
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            headers = next(reader)
        except StopIteration:
            raise ImportFailed("fichier vide") from None
        except csv.Error as exc:
            raise ImportFailed(f"en-tête illisible : {exc}") from exc
        mapping = _map_headers(headers)
        rows = []
        try:
            for values in reader:
                if not any(v.strip() for v in values):
                    continue
                rows.append((reader.line_num, values))
        except csv.Error as exc:
            raise ImportFailed(f"ligne {reader.line_num} : CSV mal formé ({exc})") from exc
        for line, values in rows:
            if len(values) != len(headers):
                yield line, {"__error__": f"{len(values)} colonnes au lieu de {len(headers)}"}
                continue
            yield line, {canon: values[i] for canon, i in mapping.items()}

    # ---- importing -----------------------------------------------------------------------
    def run(self, data: bytes) -> ImportReport:
        """Import ``data`` (CSV bytes); commits on success, rolls back and raises on failure."""
        report = ImportReport()
        try:
            for line, values in self.read(data):
                report.outcomes.append(self._import_row(line, values))
            self.session.add(AuditEntry(actor=self.actor, action="import",
                                        details=report.summary))
            self.session.commit()
        except BaseException:
            self.session.rollback()
            raise
        return report

    def _import_row(self, line: int, values: dict[str, str]) -> RowOutcome:
        if "__error__" in values:
            return RowOutcome(line, "rejected", values["__error__"])
        try:
            row = clean_row(values, self.region)
        except RowError as exc:
            return RowOutcome(line, "rejected", str(exc))
        existing, reason = self.find_duplicate(row)
        if existing is not None:
            if not self.merge:
                return RowOutcome(line, "rejected", f"doublon ({reason})", existing.id)
            self._merge_into(existing, row)
            self.session.add(AuditEntry(actor=self.actor, action="merge",
                                        customer_id=existing.id,
                                        details={"ligne": line, "motif": reason}))
            return RowOutcome(line, "merged", f"doublon ({reason}), fusionné", existing.id)
        customer = self._create(row)
        self.session.add(AuditEntry(actor=self.actor, action="create", customer_id=customer.id,
                                    details={"ligne": line, "source": "import"}))
        return RowOutcome(line, "created", "nouveau client", customer.id)

    def find_duplicate(self, row: CleanRow) -> tuple[Customer | None, str]:
        s = self.session
        s.flush()
        if row.email:
            found = s.scalars(select(Customer).where(func.lower(Customer.email) == row.email)
                              .limit(1)).first()
            if found:
                return found, f"même e-mail {row.email}"
        for raw, e164 in row.phones:
            if not e164.startswith(MOBILE_PREFIXES):
                continue
            found = s.scalars(select(Customer).join(Phone).where(Phone.e164 == e164,
                                                                  Phone.contact_id.is_(None))
                              .limit(1)).first()
            if found:
                return found, f"même numéro {e164}"
        if row.address and row.address["postcode"]:
            candidates = s.scalars(select(Customer).join(Address)
                                   .where(Address.postcode == row.address["postcode"],
                                          Customer.kind == row.kind).limit(500)).all()
            best, best_score = None, 0.0
            for candidate in candidates:
                score = name_similarity(row.full_name, candidate.display_name_plain)
                if score > best_score:
                    best, best_score = candidate, score
            if best is not None and best_score >= self.threshold:
                return best, (f"nom proche « {best.display_name_plain} » ({best_score:.0f} %) "
                              f"au même code postal")
        return None, ""

    def _create(self, row: CleanRow) -> Customer:
        customer = Customer(kind=row.kind, civility=row.civility, last_name=row.last_name,
                            first_name=row.first_name, company_name=row.company_name,
                            siret=row.siret, email=row.email, birth_date=row.birth_date,
                            origin="import")
        for i, (raw, e164) in enumerate(row.phones):
            customer.phones.append(Phone(raw=raw, e164=e164, is_primary=i == 0,
                                         kind=_phone_kind(e164, row.kind)))
        if row.address:
            customer.addresses.append(Address(**row.address))
        self.session.add(customer)
        self.session.flush()
        return customer

    def _merge_into(self, customer: Customer, row: CleanRow) -> None:
        """Complete the existing record; never overwrite what is already known."""
        for attr in ("civility", "last_name", "first_name", "company_name", "siret", "email",
                     "birth_date"):
            if getattr(customer, attr) in (None, "") and getattr(row, attr):
                setattr(customer, attr, getattr(row, attr))
        known = {p.e164 for p in customer.phones}
        for raw, e164 in row.phones:
            if e164 not in known:
                customer.phones.append(Phone(raw=raw, e164=e164, is_primary=not known,
                                             kind=_phone_kind(e164, customer.kind)))
                known.add(e164)
        if row.address and not customer.addresses:
            customer.addresses.append(Address(**row.address))


def _phone_kind(e164: str, customer_kind: str) -> str:
    if e164.startswith(MOBILE_PREFIXES):
        return "mobile"
    return "standard" if customer_kind == "company" else "fixe"
