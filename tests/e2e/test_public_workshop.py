"""A visitor opens the demo LoRAINNe'24 page in a real browser."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)

SPEAKERS = {
    "André de Almeida": "Federal University of Ceara, Fortaleza",
    "Christophe Cerisara": "CNRS-LORIA, Nancy",
    "Jérémy Cohen": "CNRS-CREATIS, Lyon",
    "Julia Gusak": "INRIA Bordeaux",
    "Mariya Ishteva": "Katholieke Universiteit Leuven",
    "Bernard Mourrain": "INRIA Sophia-Antipolis",
    "Francesco Tudisco": "University of Edinburgh",
    "Yang Qi": "INRIA Saclay – Île-de-France",
    "Yassine Zniyed": "University of Toulon",
}


def test_visitor_sees_lorainne_speakers_and_team(live_server, page):
    call_command("load_demo", verbosity=0)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="LoRAINNe'24", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("LOw-Rank Approximations")

    speakers = page.get_by_test_id("speakers")
    for name, affiliation in SPEAKERS.items():
        expect(speakers).to_contain_text(f"{name} ({affiliation})")
    expect(speakers.get_by_role("link", name="Francesco Tudisco")).to_have_attribute(
        "href", "https://ftudisco.gitlab.io/"
    )
    expect(page.get_by_test_id("team")).to_contain_text("Konstantin Usevich")
    expect(page.get_by_role("link", name="How to get there")).to_be_visible()

    page.get_by_role("link", name="Speakers", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Speakers")
    expect(page.get_by_test_id("speakers")).to_contain_text("Implicit Regularization")
