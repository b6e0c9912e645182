"""Pools of realistic French values drawn once from Faker (fr_FR), then sampled quickly.

Faker is too slow to call per field for a million customers; drawing pools once with a seeded
Faker keeps the data realistic, deterministic and fast.
"""
from __future__ import annotations

from dataclasses import dataclass

from faker import Faker


@dataclass
class Pools:
    male_first: list[str]
    female_first: list[str]
    last_names: list[str]
    streets: list[str]
    cities: list[tuple[str, str]]  # (postcode, city)
    companies: list[str]
    jobs: list[str]


def build_pools(seed: int, size: int = 600) -> Pools:
    fake = Faker("fr_FR")
    fake.seed_instance(seed)

    def unique(factory, n):
        seen: dict[str, None] = {}
        for _ in range(n * 4):
            seen.setdefault(factory(), None)
            if len(seen) >= n:
                break
        return list(seen)

    cities = []
    for _ in range(size):
        cities.append((fake.postcode(), fake.city()))
    return Pools(
        male_first=unique(fake.first_name_male, size // 3),
        female_first=unique(fake.first_name_female, size // 3),
        last_names=unique(fake.last_name, size * 2),
        streets=unique(fake.street_name, size * 2),
        cities=cities,
        companies=unique(fake.company, size * 2),
        jobs=unique(fake.job, size // 2),
    )
