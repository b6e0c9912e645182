"""Deterministic generator of demo customers and their history for one business.

Customers are produced in chunks of plain row dicts (one list per table) so that a million
customers stream into the database without holding them all in memory. The purchase history
follows the "journeys" of the business file: products taken together in one basket or soon
after, with monthly seasonality, so cross-sell and segmentation have real structure to find.
"""
from __future__ import annotations

import math
import random
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterator

from console.demo.pools import Pools, build_pools
from console.quality import luhn_complete

BUSINESS_DIR = Path(__file__).resolve().parent

# Fixed customers present in every demo data set: the callers of the AMI captures, a household
# sharing a landline and two companies sharing a switchboard (caller identification must offer
# a choice there).
FIXED_PERSONS = [
    {"civility": "M.", "first_name": "Jean", "last_name": "Dupont", "mobile": "0612345678"},
    {"civility": "Mme", "first_name": "Marie", "last_name": "Curie", "fixe": "0145678901"},
    {"civility": "Mme", "first_name": "Hélène", "last_name": "Lefèvre", "fixe": "0298765432",
     "mobile": "0611223344"},
    {"civility": "M.", "first_name": "Éric", "last_name": "Lefèvre", "fixe": "0298765432"},
]
FIXED_COMPANIES = [
    {"company_name": "Boulangerie Martin", "standard": "0388123456"},
    {"company_name": "Atelier Martin Frères", "standard": "0388123456"},
]

CHANNEL_WEIGHTS = {"appel_entrant": 40, "appel_sortant": 15, "email": 20, "courrier": 5,
                   "sms": 8, "visite": 7, "web": 5}
INTERACTION_REASONS = ["Information produit", "Question sur un prélèvement", "Changement d'adresse",
                       "Opposition carte", "Demande de rendez-vous", "Simulation de prêt",
                       "Déclaration de sinistre", "Relevé de compte", "Résiliation",
                       "Renouvellement de contrat", "Réclamation frais bancaires"]
OUTCOMES = ["résolu", "résolu", "résolu", "rappel prévu", "transmis au service",
            "offre acceptée", "offre refusée", "sans suite"]
COMPLAINT_SUBJECTS = ["Frais bancaires contestés", "Délai de remboursement sinistre",
                      "Prélèvement en double", "Carte bloquée à l'étranger",
                      "Conseiller injoignable", "Erreur sur le relevé"]
AGENTS = ["Sophie Bernard", "Karim Haddad", "Julie Moreau", "Thomas Petit", "Nadia Benali",
          "Lucas Girard", "Camille Roux", "Mehdi Chaouch"]
SHOPS = ["Agence Paris Opéra", "Agence Lyon Bellecour", "Agence Lille Centre",
         "Agence Bordeaux Chartrons", "Agence Nantes Graslin", "Agence Strasbourg Kléber"]
APE_CODES = ["4711D", "5610A", "6201Z", "4332A", "8621Z", "4520A", "7022Z", "1071C", "4778C",
             "6831Z", "4941A", "5510Z"]
LEGAL_FORMS = ["SARL", "SAS", "SASU", "EURL", "EI", "SA", "SCI"]
CSP = ["Cadres", "Professions intermédiaires", "Employés", "Ouvriers", "Artisans, commerçants",
       "Retraités", "Étudiants", "Agriculteurs"]
EMAIL_DOMAINS = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "sfr.fr", "hotmail.fr",
                 "wanadoo.fr", "yahoo.fr"]
ORIGINS = ["agence", "site_web", "parrainage", "campagne", "salon"]
CONSENT_SOURCES = ["formulaire web", "appel (verbal)", "signature en agence", "courrier"]
CONTACT_ROLES = ["decideur", "prescripteur", "acheteur", "utilisateur"]
JOB_TITLES = {"decideur": "Gérant", "prescripteur": "Responsable technique",
              "acheteur": "Comptable", "utilisateur": "Assistant administratif"}

# Number blocks that libphonenumber does not accept as allocated (first two digits after 0X).
_UNALLOCATED = {"01": set(), "02": {"62"}, "03": set(), "04": {f"0{d}" for d in range(10)},
                "05": {"90", "94"}, "06": {"39", "90", "91", "92", "93", "94", "96", "97"}}

# Yearly fees and premiums are orders too (channel "renouvellement"); savings and loans are not
# renewed that way. Basket mining must leave renewal orders out.
RENEWAL_CHANNEL = "renouvellement"
RENEWAL_YEARS = 3
NOT_RENEWED = ("LIVRET", "LDDS", "PEL", "AV-", "PER", "CREDIT", "PRO-CREDIT")

TABLES = ("customers", "contacts", "phones", "addresses", "orders", "order_lines", "holdings",
          "interactions", "complaints", "consents", "callbacks")


def load_business(name: str) -> dict:
    with open(BUSINESS_DIR / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _format_raw(national: str, rnd: random.Random) -> str:
    """Present a national number the way people type it."""
    style = rnd.randrange(5)
    pairs = [national[i:i + 2] for i in range(0, 10, 2)]
    if style == 0:
        return " ".join(pairs)
    if style == 1:
        return ".".join(pairs)
    if style == 2:
        return "+33 " + national[1] + " " + " ".join(pairs[1:])
    return national


@dataclass
class Catalog:
    families: list[dict]
    ranges: list[dict]
    products: list[dict]
    by_code: dict[str, dict] = field(default_factory=dict)


def build_catalog(business: dict) -> Catalog:
    families = [{"id": i, "code": f["code"], "name": f["name"]}
                for i, f in enumerate(business["families"], 1)]
    fam_id = {f["code"]: f["id"] for f in families}
    ranges = [{"id": i, "code": r["code"], "family_id": fam_id[r["family"]], "name": r["name"],
               "level": r["level"]} for i, r in enumerate(business["ranges"], 1)]
    range_id = {r["code"]: r["id"] for r in ranges}
    products = []
    for i, p in enumerate(business["products"], 1):
        products.append({
            "id": i, "code": p["code"], "name": p["name"], "family_id": fam_id[p["family"]],
            "range_id": range_id.get(p.get("range")), "unit_price": float(p["price"]),
            "is_strategic": bool(p.get("strategic", False)),
            "for_companies": bool(p.get("for_companies", False)),
            "description": p.get("description"), "pitch": p.get("pitch"),
            "season": p.get("season"),
        })
    catalog = Catalog(families, ranges, products)
    catalog.by_code = {p["code"]: p for p in products}
    for p, src in zip(products, business["products"]):
        p["_season"] = src.get("season", [1] * 12)
    return catalog


class DemoGenerator:
    """Yields chunks of rows; ids are assigned here so that rows reference each other."""

    def __init__(self, business: str = "banque_assurance", seed: int = 42,
                 today: date | None = None, company_share: float = 0.15):
        self.business = load_business(business)
        self.catalog = build_catalog(self.business)
        self.seed = seed
        self.today = today or date.today()
        self.company_share = company_share
        self.rnd = random.Random(seed)
        self.pools: Pools = build_pools(seed)
        self.ids = {t: 0 for t in TABLES}
        self._mobile_counter = 0
        self._fixe_counter = 0
        self._reserved = {f.get(k) for f in FIXED_PERSONS + FIXED_COMPANIES
                          for k in ("mobile", "fixe", "standard")} - {None}
        self._last_household: dict | None = None
        journeys = self.business["journeys"]
        self._journeys = {kind: ([j for j in journeys if j["for"] == kind],
                                 [j["weight"] for j in journeys if j["for"] == kind])
                          for kind in ("person", "company")}

    # ---- helpers -------------------------------------------------------------------------
    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def _unique_number(self, kind: str) -> str:
        """A distinct valid French number: a bijection of a counter modulo 10^8."""
        while True:
            if kind == "mobile":
                self._mobile_counter += 1
                n = (self._mobile_counter * 2654435761 + 7) % 10 ** 8
                national = "06" + f"{n:08d}"
            else:
                self._fixe_counter += 1
                n = (self._fixe_counter * 40503 + 11) % 10 ** 8
                national = "0" + str(1 + self._fixe_counter % 5) + f"{n:08d}"
            if national not in self._reserved and national[2:4] not in _UNALLOCATED[national[:2]]:
                return national

    def _date_between(self, start: date, end: date, season: list[int] | None = None) -> date:
        span = (end - start).days
        if span <= 0:
            return end
        if not season:
            return start + timedelta(days=self.rnd.randrange(span + 1))
        # pick a year/month by seasonal weight, then a day in that month, clipped to the span
        for _ in range(8):
            d = start + timedelta(days=self.rnd.randrange(span + 1))
            if self.rnd.random() * max(season) <= season[d.month - 1]:
                return d
        return d

    def _when(self, d: date) -> datetime:
        return datetime(d.year, d.month, d.day, self.rnd.randint(8, 19), self.rnd.randrange(60))

    # ---- public --------------------------------------------------------------------------
    def catalog_rows(self) -> dict[str, list[dict]]:
        clean = [{k: v for k, v in p.items() if not k.startswith("_")}
                 for p in self.catalog.products]
        return {"product_families": self.catalog.families, "product_ranges": self.catalog.ranges,
                "products": clean}

    def chunks(self, n_customers: int, chunk_size: int = 2000) -> Iterator[dict[str, list[dict]]]:
        produced = 0
        fixed = ([("person", f) for f in FIXED_PERSONS]
                 + [("company", f) for f in FIXED_COMPANIES])
        while produced < n_customers:
            rows: dict[str, list[dict]] = {t: [] for t in TABLES}
            for _ in range(min(chunk_size, n_customers - produced)):
                if produced < len(fixed):
                    kind, override = fixed[produced]
                else:
                    kind = "company" if self.rnd.random() < self.company_share else "person"
                    override = {}
                self._customer(rows, kind, override)
                produced += 1
            yield rows

    # ---- one customer --------------------------------------------------------------------
    def _customer(self, rows: dict, kind: str, fixed: dict) -> None:
        rnd, pools = self.rnd, self.pools
        cid = self._next("customers")
        since = self.today - timedelta(days=rnd.randint(60, 25 * 365))
        wealth = math.exp(rnd.gauss(0, 0.9))
        customer = {
            "id": cid, "kind": kind, "civility": None, "last_name": None, "first_name": None,
            "birth_date": None, "family_status": None, "children_count": None,
            "profession": None, "csp": None, "company_name": None, "siret": None,
            "ape_code": None, "legal_form": None, "headcount": None, "email": None,
            "preferred_language": "fr",
            "preferred_channel": rnd.choice(["telephone", "email", "sms", "courrier", "agence"]),
            "origin": rnd.choice(ORIGINS), "lifecycle_stage": None, "customer_since": since,
            "notes": None, "is_deceased": False, "is_closed": rnd.random() < 0.02,
            "has_moved": rnd.random() < 0.03, "on_bloctel": rnd.random() < 0.08,
            "created_at": self._when(since), "updated_at": self._when(since),
        }
        household = None
        if kind == "person":
            female = fixed.get("civility") == "Mme" if fixed else rnd.random() < 0.52
            first = fixed.get("first_name") or rnd.choice(
                pools.female_first if female else pools.male_first)
            last = fixed.get("last_name") or rnd.choice(pools.last_names)
            age = rnd.randint(19, 88)
            birth = self.today - timedelta(days=age * 365 + rnd.randrange(365))
            children = rnd.choice([0, 0, 0, 1, 1, 2, 2, 3]) if 25 <= age <= 60 else 0
            customer.update(
                civility=fixed.get("civility") or ("Mme" if female else "M."), first_name=first,
                last_name=last, birth_date=birth,
                family_status=rnd.choice(["célibataire", "marié(e)", "pacsé(e)", "divorcé(e)",
                                          "veuf(ve)"] if age > 30 else ["célibataire", "pacsé(e)"]),
                children_count=children,
                profession="Retraité(e)" if age >= 63 else rnd.choice(pools.jobs),
                csp="Retraités" if age >= 63 else rnd.choice(CSP),
                email=f"{_ascii(first)}.{_ascii(last)}{cid}@{rnd.choice(EMAIL_DOMAINS)}"
                .replace(" ", "-"),
            )
            # A household: share the landline and address of the previous household, sometimes.
            if self._last_household and not fixed and rnd.random() < 0.08:
                household = self._last_household
                customer["last_name"] = household["last_name"]
        else:
            name = fixed.get("company_name") or rnd.choice(pools.companies)
            customer.update(
                company_name=name, siret=luhn_complete(f"{rnd.randrange(10 ** 13):013d}"),
                ape_code=rnd.choice(APE_CODES), legal_form=rnd.choice(LEGAL_FORMS),
                headcount=int(min(500, 1 + wealth * rnd.randint(1, 15))),
                email=f"contact@{_ascii(name).replace(' ', '-').replace(',', '')[:30]}.fr",
            )
        rows["customers"].append(customer)
        self._address(rows, cid, household)
        self._phones(rows, customer, fixed, household)
        if kind == "company":
            self._contacts(rows, cid)
        self._history(rows, customer, since, wealth)
        if kind == "person" and customer["children_count"] is not None:
            self._last_household = {"customer_id": cid, "last_name": customer["last_name"],
                                    "fixe": self._person_fixe, "address": self._person_address}

    def _address(self, rows: dict, cid: int, household: dict | None) -> None:
        rnd = self.rnd
        if household:
            address = dict(household["address"], id=self._next("addresses"), customer_id=cid)
        else:
            postcode, city = rnd.choice(self.pools.cities)
            address = {"id": self._next("addresses"), "customer_id": cid, "kind": "principale",
                       "line1": f"{rnd.randint(1, 180)} {rnd.choice(self.pools.streets)}".upper()[:38],
                       "line2": None, "postcode": postcode, "city": city.upper()[:38],
                       "country": "FR"}
        rows["addresses"].append(address)
        self._person_address = {k: v for k, v in address.items() if k not in ("id", "customer_id")}

    def _phone(self, rows: dict, cid: int, kind: str, national: str, primary: bool,
               contact_id: int | None = None) -> None:
        rows["phones"].append({"id": self._next("phones"), "customer_id": cid,
                               "contact_id": contact_id, "kind": kind,
                               "raw": _format_raw(national, self.rnd),
                               "e164": "+33" + national[1:], "is_primary": primary})

    def _phones(self, rows: dict, customer: dict, fixed: dict, household: dict | None) -> None:
        rnd, cid = self.rnd, customer["id"]
        self._person_fixe = None
        if customer["kind"] == "company":
            standard = fixed.get("standard") or self._unique_number("fixe")
            self._phone(rows, cid, "standard", standard, True)
            return
        if fixed:
            mobile, fixe = fixed.get("mobile"), fixed.get("fixe")
        else:
            mobile = self._unique_number("mobile") if rnd.random() < 0.95 else None
            fixe = None
            if household and household["fixe"]:
                fixe = household["fixe"]
            elif rnd.random() < 0.35:
                fixe = self._unique_number("fixe")
        if mobile:
            self._phone(rows, cid, "mobile", mobile, True)
        if fixe:
            self._phone(rows, cid, "fixe", fixe, not mobile)
        self._person_fixe = fixe

    def _contacts(self, rows: dict, cid: int) -> None:
        rnd = self.rnd
        roles = ["decideur"] + rnd.sample(CONTACT_ROLES[1:], rnd.randint(0, 3))
        for role in roles:
            female = rnd.random() < 0.5
            contact = {"id": self._next("contacts"), "company_id": cid,
                       "civility": "Mme" if female else "M.",
                       "first_name": rnd.choice(self.pools.female_first if female
                                                else self.pools.male_first),
                       "last_name": rnd.choice(self.pools.last_names),
                       "job_title": JOB_TITLES[role], "role": role, "email": None}
            rows["contacts"].append(contact)
            if rnd.random() < 0.7:
                self._phone(rows, cid, "mobile", self._unique_number("mobile"), False,
                            contact["id"])

    # ---- purchase and relationship history ---------------------------------------------
    def _history(self, rows: dict, customer: dict, since: date, wealth: float) -> None:
        rnd, cid, kind = self.rnd, customer["id"], customer["kind"]
        journeys, _ = self._journeys[kind]
        weights = [self._affinity(j, customer, wealth) for j in journeys]
        n_journeys = 1 + min(7, int(rnd.expovariate(1 / (1.4 * math.sqrt(wealth)))))
        chosen = [journeys[0]] + rnd.choices(journeys, weights, k=n_journeys - 1)
        held: dict[str, date] = {}
        for number, journey in enumerate(chosen):
            products = list(journey["basket"])
            if "one_of" in journey:
                products.append(rnd.choices(journey["one_of"], journey["one_of_weights"])[0])
            if not products:
                continue
            season = self.catalog.by_code[products[0]]["_season"]
            # the relationship starts with the entry journey (account opening); the others
            # come at any time after it
            start = since if number == 0 else self._date_between(since, self.today, season)
            later = []
            for code, prob in journey.get("then", []):
                if rnd.random() < prob:
                    (products if rnd.random() < 0.5 else later).append(code)
            self._order(rows, cid, start, products, wealth, held)
            for code in later:
                d = start + timedelta(days=rnd.randint(7, 400))
                if d <= self.today:
                    self._order(rows, cid, d, [code], wealth, held)
        # Savings top-ups: recurring small orders for life-insurance holders.
        if "AV-ESSENTIEL" in held or "AV-PATRIMOINE" in held:
            first = min(held.get("AV-ESSENTIEL", self.today), held.get("AV-PATRIMOINE", self.today))
            for _ in range(rnd.randint(1, 6)):
                d = self._date_between(first, self.today,
                                       self.catalog.by_code["AV-VERSEMENT"]["_season"])
                self._order(rows, cid, d, ["AV-VERSEMENT"], wealth, held)
        self._holdings(rows, cid, held)
        self._relationship(rows, customer, since)

    def _affinity(self, journey: dict, customer: dict, wealth: float) -> float:
        """A journey's weight for this customer: life stage and wealth make it likelier."""
        weight = journey["weight"]
        if journey.get("wealth_power"):
            weight *= wealth ** journey["wealth_power"]
        conditions = [k for k in ("min_age", "max_age", "children") if k in journey]
        if not conditions or customer["birth_date"] is None:
            return weight
        age = (self.today - customer["birth_date"]).days // 365
        fits = (age >= journey.get("min_age", 0) and age <= journey.get("max_age", 200)
                and (not journey.get("children") or bool(customer["children_count"])))
        return weight * journey.get("affinity", 2) if fits else weight * 0.15

    def _order(self, rows: dict, cid: int, d: date, codes: list[str], wealth: float,
               held: dict[str, date]) -> None:
        rnd = self.rnd
        oid = self._next("orders")
        total = 0.0
        seen = set()
        for code in codes:
            if code in seen or (code in held and code != "AV-VERSEMENT"):
                continue
            seen.add(code)
            product = self.catalog.by_code[code]
            scale = wealth if code.startswith(("AV-", "PER", "CREDIT", "PRO-CREDIT")) else 1.0
            unit = round(product["unit_price"] * scale * rnd.uniform(0.85, 1.15), 2)
            rows["order_lines"].append({"id": self._next("order_lines"), "order_id": oid,
                                        "product_id": product["id"], "quantity": 1,
                                        "unit_price": unit, "amount": unit})
            total += unit
            held.setdefault(code, d)
        if not seen:
            self.ids["orders"] -= 1
            return
        rows["orders"].append({
            "id": oid, "customer_id": cid, "ordered_at": self._when(d),
            "channel": rnd.choices(["agence", "telephone", "web", "courrier", "conseiller_mobile"],
                                   [5, 3, 4, 1, 1])[0],
            "payment_mode": rnd.choices(["prelevement", "carte", "cheque", "virement"],
                                        [8, 2, 1, 1])[0],
            "shop": rnd.choice(SHOPS), "total_amount": round(total, 2)})

    def _holdings(self, rows: dict, cid: int, held: dict[str, date]) -> None:
        rnd = self.rnd
        for code, since in held.items():
            if code == "AV-VERSEMENT":
                continue
            product = self.catalog.by_code[code]
            if code.startswith(("CREDIT", "PRO-CREDIT")):
                years = 20 if code == "CREDIT-IMMO" else rnd.randint(3, 6)
                renewal = since.replace(year=since.year + years, day=min(since.day, 28))
            else:
                renewal = since.replace(year=self.today.year, day=min(since.day, 28))
                if renewal < self.today:
                    renewal = renewal.replace(year=renewal.year + 1)
            status = "resilie" if rnd.random() < 0.05 else "actif"
            if code.startswith("CREDIT") and renewal < self.today:
                status = "termine"
            rows["holdings"].append({"id": self._next("holdings"), "customer_id": cid,
                                     "product_id": product["id"], "since": since,
                                     "renewal_date": renewal, "status": status})
            if status == "actif" and not code.startswith(NOT_RENEWED):
                self._renewals(rows, cid, product, since)

    def _renewals(self, rows: dict, cid: int, product: dict, since: date) -> None:
        """Yearly fee or premium of a held product over the last RENEWAL_YEARS years."""
        for years_back in range(1, RENEWAL_YEARS + 1):
            year = self.today.year - years_back + 1
            d = since.replace(year=year, day=min(since.day, 28))
            if d <= since or d > self.today:
                continue
            oid = self._next("orders")
            amount = round(product["unit_price"] * self.rnd.uniform(0.97, 1.05), 2)
            rows["orders"].append({"id": oid, "customer_id": cid, "ordered_at": self._when(d),
                                   "channel": RENEWAL_CHANNEL, "payment_mode": "prelevement",
                                   "shop": None, "total_amount": amount})
            rows["order_lines"].append({"id": self._next("order_lines"), "order_id": oid,
                                        "product_id": product["id"], "quantity": 1,
                                        "unit_price": amount, "amount": amount})

    def _relationship(self, rows: dict, customer: dict, since: date) -> None:
        rnd, cid = self.rnd, customer["id"]
        channels, weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
        for _ in range(rnd.choice([0, 1, 1, 2, 2, 3, 4, 6])):
            d = self._date_between(max(since, self.today - timedelta(days=3 * 365)), self.today)
            rows["interactions"].append({
                "id": self._next("interactions"), "customer_id": cid,
                "channel": rnd.choices(channels, weights)[0], "occurred_at": self._when(d),
                "agent": rnd.choice(AGENTS), "reason": rnd.choice(INTERACTION_REASONS),
                "outcome": rnd.choice(OUTCOMES), "notes": None, "call_id": None, "queue": None,
                "wait_seconds": None, "talk_seconds": None, "hold_seconds": None,
                "wrapup_seconds": None, "details": None})
        if rnd.random() < 0.07:
            first = self._date_between(max(since, self.today - timedelta(days=2 * 365)),
                                       self.today)
            dates = [first]
            if rnd.random() < 0.25:  # a second complaint shortly after: attrition signal
                second = first + timedelta(days=rnd.randint(2, 10))
                if second <= self.today:
                    dates.append(second)
            for d in dates:
                closed = d + timedelta(days=rnd.randint(1, 20))
                rows["complaints"].append({
                    "id": self._next("complaints"), "customer_id": cid,
                    "opened_at": self._when(d),
                    "closed_at": self._when(closed) if closed < self.today else None,
                    "channel": rnd.choice(["appel_entrant", "email", "courrier"]),
                    "subject": rnd.choice(COMPLAINT_SUBJECTS),
                    "status": "close" if closed < self.today else "ouverte"})
        recorded = self._when(since)
        for channel, p in (("telephone", 0.7), ("email", 0.5), ("sms", 0.35), ("courrier", 0.8)):
            rows["consents"].append({"id": self._next("consents"), "customer_id": cid,
                                     "channel": channel, "purpose": "prospection",
                                     "granted": rnd.random() < p,
                                     "source": rnd.choice(CONSENT_SOURCES),
                                     "recorded_at": recorded})
        rows["consents"].append({"id": self._next("consents"), "customer_id": cid,
                                 "channel": "courrier", "purpose": "partage_tiers",
                                 "granted": rnd.random() < 0.15,
                                 "source": rnd.choice(CONSENT_SOURCES), "recorded_at": recorded})
        if rnd.random() < 0.02:
            d = self.today + timedelta(days=rnd.randint(1, 20))
            rows["callbacks"].append({"id": self._next("callbacks"), "customer_id": cid,
                                      "scheduled_for": self._when(d),
                                      "reason": "Rappel suite à une demande d'information",
                                      "agent": rnd.choice(AGENTS), "campaign": None,
                                      "status": "a_faire", "created_at": self._when(self.today)})
