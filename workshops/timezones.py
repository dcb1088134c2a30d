"""Time zones offered to organizers, with “Anywhere on Earth” for deadlines."""

import datetime as dt
import zoneinfo
from functools import cache

from django.utils import timezone
from django.utils.formats import date_format

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


def moment_text(moment: dt.datetime, zone: str) -> str:
    """Return “15 March 2031, 23:59 AoE”: an instant in ``zone``, with the zone's label."""
    local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone))
    return f"{date_format(local, 'j F Y')}, {local:%H:%M} {zone_label(zone)}"
