"""Time zones offered to organizers, with “Anywhere on Earth” for deadlines."""

import zoneinfo
from functools import cache

# Anywhere on Earth: a deadline has passed once it has passed everywhere, i.e. at UTC−12.
# (The IANA name's sign is inverted on purpose: Etc/GMT+12 is twelve hours behind UTC.)
AOE = "Etc/GMT+12"


@cache
def zone_choices() -> list[tuple[str, str]]:
    zones = sorted(
        z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
    )
    return [("UTC", "UTC"), (AOE, "AoE (Anywhere on Earth, UTC−12)"), *((z, z) for z in zones)]


def zone_label(name: str) -> str:
    return "AoE" if name == AOE else name
