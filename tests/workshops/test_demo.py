"""The demo loader: idempotent, and every seed fact shows on the public pages."""

import datetime as dt
import html
import io
import re
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpRequest
from django.utils import timezone

from demo import load as demo
from demo.content import demo_workshop
from schedule.models import Room, ScheduleItem
from workshops.models import (
    KeyDate,
    Series,
    SpeakerAppearance,
    SpeakerProfile,
    TeamMember,
    Topic,
    Workshop,
    surname_key,
)
from workshops.timezones import AOE

pytestmark = pytest.mark.django_db

DEMO_MODELS = (
    Series,
    Workshop,
    KeyDate,
    Topic,
    TeamMember,
    SpeakerProfile,
    SpeakerAppearance,
    Room,
    ScheduleItem,
)

LORAINNE_SPEAKERS = [
    "André de Almeida (Federal University of Ceara, Fortaleza)",
    "Christophe Cerisara (CNRS-LORIA, Nancy)",
    "Jérémy Cohen (CNRS-CREATIS, Lyon)",
    "Julia Gusak (INRIA Bordeaux)",
    "Mariya Ishteva (Katholieke Universiteit Leuven)",
    "Bernard Mourrain (INRIA Sophia-Antipolis)",
    "Francesco Tudisco (University of Edinburgh)",
    "Yang Qi (INRIA Saclay – Île-de-France)",
    "Yassine Zniyed (University of Toulon)",
]

LORAINNE_HOMEPAGES = {
    "André de Almeida": "https://professors.gtel.ufc.br/andre/",
    "Christophe Cerisara": "https://members.loria.fr/CCerisara/",
    "Jérémy Cohen": "https://jeremy-e-cohen.jimdofree.com",
    "Julia Gusak": "https://juliagusak.github.io",
    "Bernard Mourrain": "https://www-sop.inria.fr/members/Bernard.Mourrain/",
    "Francesco Tudisco": "https://ftudisco.gitlab.io/",
    "Yang Qi": "https://sites.google.com/view/yangqi",
    "Yassine Zniyed": "https://yzniyed.blogspot.com/p/about-me.html",
}

LORAINNE_SCHEDULE = [
    "Tue 26 Nov (Day 1)",
    "13:45–14:00 Registration",
    "14:00–14:15 Opening remarks",
    "14:15–15:15 André de Almeida: Overview of tensor decompositions and some applications "
    "to wireless communications",
    "15:15–15:45 Mariya Ishteva: Decoupling multivariate functions using tensors",
    "15:45–16:15 Coffee break",
    "16:15–17:15 Francesco Tudisco",
    "17:15–17:30 Spotlight posters",
    "17:30–19:00 Cocktail + posters",
    "Wed 27 Nov (Day 2)",
    "09:00–09:30 Welcome coffee",
    "09:30–10:30 Bernard Mourrain: Low rank approximation of moment matrices and tensors",
    "10:30–11:00 Jérémy Cohen: Implicit Regularization in Regularized (Nonnegative) Low-Rank "
    "Approximations",
    "11:00–11:30 Coffee break",
    "11:30–12:30 Julia Gusak",
    "12:30–14:00 Lunch break",
    "14:00–15:00 Christophe Cerisara: Study of a few properties of LLM pruning",
    "15:00–15:30 Invited talk",
    "15:30–16:00 Invited talk",
    "16:00–17:00 Farewell coffee break",
]


def text(fragment: str) -> str:
    """Return the visible text of an HTML fragment, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def section(page: str, testid: str) -> str:
    match = re.search(rf'<(ul|table|p|dd)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"no {testid} on the page"
    return match.group(2)


def items(page: str, testid: str) -> list[str]:
    return [text(li) for li in re.findall(r"<li[^>]*>(.*?)</li>", section(page, testid), re.S)]


def schedule_rows(page: str) -> list[str]:
    body = section(page, "schedule").split("</thead>", 1)[1]
    return [text(row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def get_page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def row_counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in DEMO_MODELS}
    counts["talk speakers"] = ScheduleItem.speakers.through.objects.count()
    counts["organizers"] = Workshop.organizers.through.objects.count()
    counts["users"] = get_user_model().objects.count()
    return counts


@pytest.fixture
def loaded():
    call_command("load_demo", stdout=io.StringIO())


def test_load_demo_twice_changes_no_row_count():
    call_command("load_demo", "--with-users", stdout=io.StringIO())
    first = row_counts()
    call_command("load_demo", "--with-users", stdout=io.StringIO())

    assert row_counts() == first
    assert first == {
        "Series": 3,
        "Workshop": 6,
        "KeyDate": 6,  # the demo workshop's call and registration dates: from their settings
        "Topic": 25,
        "TeamMember": 18,
        "SpeakerProfile": 15,  # and the demo speaker's, for their accepted talk
        "SpeakerAppearance": 15,
        "Room": 2,
        "ScheduleItem": 40,
        "talk speakers": 19,
        "organizers": 2,
        # admin, organizer; the demo call's speaker, two reviewers, two more authors
        "users": 7,
    }
    assert sorted(Workshop.objects.values_list("slug", flat=True)) == [
        "demo-workshop",
        "emergence-of-low-dim-models-in-deep-learning",
        "lorainne24",
        "mathematics-of-modern-machine-learning",
        "slowdnn-2023",
        "training-center-theoretical-foundations-of-deep-learning",
    ]
    assert set(Workshop.objects.values_list("published", flat=True)) == {True}


def test_every_demo_row_passes_model_validation(loaded):
    for model in DEMO_MODELS:
        for row in model.objects.all():
            row.full_clean()


def test_demo_workshop_dates_count_from_the_day_it_is_created():
    demo.load_demo(today=dt.date(2030, 3, 1))

    workshop = Workshop.objects.get(slug="demo-workshop")
    assert (workshop.start_date, workshop.end_date) == (dt.date(2030, 4, 16), dt.date(2030, 4, 17))
    # The call's deadline, 30 days before the workshop, at 23:59 AoE.
    assert workshop.cfa.deadline == dt.datetime(2030, 3, 17, 23, 59, tzinfo=zoneinfo.ZoneInfo(AOE))
    assert workshop.cfa.is_open(now=dt.datetime(2030, 3, 1, 12, tzinfo=dt.UTC))
    first = ScheduleItem.objects.filter(workshop=workshop).first()
    assert (first.title, first.start) == (
        "Registration",
        dt.datetime(2030, 4, 16, 8, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
    )
    # The page says so.
    assert "1 March 2030" in workshop.description


def test_a_rerun_leaves_the_organizers_edits_alone():
    from registration.models import RegistrationSettings

    demo.load_demo(today=dt.date(2030, 1, 1))
    workshop = Workshop.objects.get(slug="demo-workshop")
    item = ScheduleItem.objects.filter(workshop=workshop, title="Registration").get()
    moved = item.start + dt.timedelta(hours=1)
    ScheduleItem.objects.filter(pk=item.pk).update(
        start=moved, end=moved + dt.timedelta(minutes=30)
    )
    RegistrationSettings.objects.filter(workshop=workshop).update(capacity=12)
    Workshop.objects.filter(slug="lorainne24").update(title="LoRAINNe'24 (edited)")
    counts = row_counts()

    out = io.StringIO()
    call_command("load_demo", stdout=out)  # months later: the dates do not roll forward

    assert row_counts() == counts
    workshop.refresh_from_db()
    assert workshop.start_date == dt.date(2030, 2, 19)
    assert ScheduleItem.objects.get(pk=item.pk).start == moved
    assert RegistrationSettings.objects.get(workshop=workshop).capacity == 12
    assert Workshop.objects.get(slug="lorainne24").title == "LoRAINNe'24 (edited)"
    assert "0 created, 6 left as they were (--reset recreates them)" in out.getvalue()


def test_reset_deletes_and_recreates_the_demo_with_todays_dates():
    from registration.models import Registration

    demo.load_demo(today=dt.date(2030, 1, 1))
    workshop = Workshop.objects.get(slug="demo-workshop")
    Registration.objects.create(
        workshop=workshop, email="ada@example.org", first_name="Ada", last_name="L"
    )
    Workshop.objects.filter(slug="lorainne24").update(title="edited")
    counts = row_counts()

    loaded = demo.load_demo(today=dt.date(2030, 3, 1), reset=True)

    assert all(row.created for row in loaded)
    assert row_counts() == counts
    workshop = Workshop.objects.get(slug="demo-workshop")
    assert workshop.start_date == dt.date(2030, 4, 16)
    # The organizer's registrations are gone; the demo's five attendees are back.
    assert not Registration.objects.filter(email="ada@example.org").exists()
    assert Registration.objects.filter(workshop=workshop).count() == 5
    assert workshop.registration_settings.confirmed_count == 5
    assert Workshop.objects.get(slug="lorainne24").title != "edited"


def test_demo_start_date_is_the_first_tuesday_45_days_ahead():
    assert demo_workshop.demo_start_date(dt.date(2030, 1, 1)) == dt.date(2030, 2, 19)
    assert demo_workshop.demo_start_date(dt.date(2030, 1, 4)) == dt.date(2030, 2, 19)
    assert demo_workshop.demo_start_date(dt.date(2030, 1, 5)) == dt.date(2030, 2, 19)
    assert demo_workshop.demo_start_date(dt.date(2030, 1, 6)) == dt.date(2030, 2, 26)


def test_no_demo_accounts_when_debug_is_off(settings):
    settings.DEBUG = False
    out = io.StringIO()
    call_command("load_demo", stdout=out)

    # The demo call's people exist (its submissions and reviews need them), but nobody can
    # log in as them, and nobody is staff.
    users = list(get_user_model().objects.all())
    assert not any(u.has_usable_password() or u.is_staff or u.is_superuser for u in users)
    assert "pass --with-users" in out.getvalue()


def test_demo_accounts_in_debug_can_log_in_and_manage_their_workshops(settings, client):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)

    assert "admin@example.org / admin" in out.getvalue()
    assert "organizer@example.org / organizer" in out.getvalue()
    admin = get_user_model().objects.get(email="admin@example.org")
    organizer = get_user_model().objects.get(email="organizer@example.org")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert (organizer.is_staff, organizer.is_superuser) == (True, False)
    assert sorted(Workshop.objects.managed_by(organizer).values_list("slug", flat=True)) == [
        "demo-workshop",
        "lorainne24",
    ]
    # django-axes needs a request to authenticate against (client.login passes it through).
    assert client.login(request=HttpRequest(), username="admin@example.org", password="admin")
    assert client.login(
        request=HttpRequest(), username="organizer@example.org", password="organizer"
    )
    assert client.get("/admin/").status_code == 200


def test_lorainne_page_shows_the_seed_facts(loaded, client):
    page = get_page(client, "/workshops/lorainne24/")

    assert "LOw-Rank Approximations and their Interactions with Neural NEtworks" in page
    assert text(section(page, "workshop-dates")) == "26–27 November 2024"
    assert "IDMC (Institut des Sciences du Digital), Nancy, France" in text(
        section(page, "workshop-venue")
    )
    assert (
        '<a href="https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot&amp;'
        'route=48.68979%2C6.17514%3B48.69743%2C6.17170#map=16/48.69352/6.17392">'
        "How to get there</a>"
    ) in page
    assert "ANR LeaFleT project (project ANR-19-CE23-0021)" in page
    assert "Registration is free but mandatory (the capacity is limited)." in page
    assert items(page, "speakers") == LORAINNE_SPEAKERS
    for name, url in LORAINNE_HOMEPAGES.items():
        assert f'<a href="{url}">{name}</a>' in page
    assert "<li>Mariya Ishteva (Katholieke Universiteit Leuven)</li>" in page
    assert "We will be announcing the full list of speakers shortly." in page
    assert "Tentative schedule" in page
    assert schedule_rows(page) == LORAINNE_SCHEDULE
    assert "On the multi-spiked random tensor model" in page
    assert "Network compression using tensor decompositions and pruning" in page
    assert "we prove that the scale- invariance inherent to low-rank approximation" in text(page)
    assert items(page, "team") == [
        "Ricardo Borsoi",
        "Marianne Clausel",
        "Sebastian Miron",
        "Konstantin Usevich",
        "SiMul @ CRAN",
    ]
    assert '<a href="https://cran-simul.github.io/">SiMul @ CRAN</a>' in page
    assert text(section(page, "contact")) == (
        "Email the organizers at firstname.lastname@univ-lorraine.fr"
    )
    assert "mailto:" not in page


def test_lorainne_talks_without_a_slot_stay_unscheduled(loaded):
    unscheduled = ScheduleItem.objects.filter(workshop__slug="lorainne24", start=None)
    assert [(i.title, [s.name for s in i.speakers.all()]) for i in unscheduled] == [
        ("On the multi-spiked random tensor model", ["Yang Qi"]),
        ("Network compression using tensor decompositions and pruning", ["Yassine Zniyed"]),
    ]


def test_lorainne_speakers_page_lists_the_nine_speakers(loaded, client):
    page = get_page(client, "/workshops/lorainne24/speakers/")

    names = [text(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]
    # By surname (the seed lists them in another order).
    seeded = [entry.split(" (")[0] for entry in LORAINNE_SPEAKERS]
    assert names == sorted(seeded, key=surname_key)
    assert names != seeded
    for entry in LORAINNE_SPEAKERS:
        affiliation = entry.removesuffix(")").split(" (", 1)[1]
        assert f"{affiliation} · Invited speaker" in page
    assert "Talk, Tue 26 Nov 16:15–17:15" in text(page)


def test_slowdnn_page_shows_the_seed_facts(loaded, client):
    page = get_page(client, "/workshops/slowdnn-2023/")

    assert (
        "<h1>Third Workshop on Seeking Low-Dimensionality in Deep Neural Networks (SLowDNN)</h1>"
        in page
    )
    assert text(section(page, "workshop-dates")) == "3–6 January 2023; in person"
    assert '<a href="https://mbzuai.ac.ae/">MBZUAI</a>' in page
    assert "Third edition" in text(page)
    assert items(page, "key-dates") == [
        "Workshop dates: 3–6 January 2023",
        "Abstract submission deadline: TBA",
        "Acceptance notification: TBA",
    ]
    assert "We are currently in the midst of a data revolution." in page
    assert 'href="mailto:slowdnn.workshop@gmail.com"' in page


def test_moml_page_shows_topics_and_subtopics(loaded, client):
    page = get_page(client, "/workshops/mathematics-of-modern-machine-learning/")

    assert "<h1>Mathematics of Modern Machine Learning</h1>" in page
    topics = Topic.objects.filter(workshop__slug="mathematics-of-modern-machine-learning")
    assert [t.name for t in topics.filter(parent=None)] == [
        "Reconciling Optimization Theory with Deep Learning Practice",
        "Generalization for Overparametrized Models",
        "Theory for Foundation Models/Pretrained Models",
        "Provable Guarantees Beyond Supervised Learning Settings",
    ]
    assert [t.name for t in topics.get(name__startswith="Reconciling").subtopics.all()] == [
        "Convergence analysis beyond the stable regime",
        "Continuous approximations of training trajectories",
        "Advanced optimization algorithms",
    ]
    assert "<strong>Reconciling Optimization Theory with Deep Learning Practice</strong>" in page
    assert "<li><em>Implicit bias</em>: What implicit bias do training algorithms have?" in page
    assert "learning rate warmup and decay, and normalization layers?" in page
    assert "ï¼" not in page


def test_lecture_course_page_shows_four_lectures_with_durations(loaded, client):
    page = get_page(client, "/workshops/emergence-of-low-dim-models-in-deep-learning/")

    assert "Lecture series" in page
    assert "Qing Qu (EECS, University of Michigan)" in text(page)
    lectures = re.findall(r'<p class="mb-1">(.*?)</p>', page, re.S)
    assert [text(lecture) for lecture in lectures] == [
        "Low-dimensional Models & Nonconvex Optimization (1 h)",
        "Low-dimensional Representations in Deep Learning I: Neural Collapse (1 h)",
        "Low-dimensional Representations in Deep Learning II: Law-of-Parsimony in GD (1 h 30 min)",
        "Low-dimensional Models for Robust Learning (30 min)",
    ]
    slug = "emergence-of-low-dim-models-in-deep-learning"
    assert [
        (i.kind, i.order, i.start, i.end) for i in ScheduleItem.objects.filter(workshop__slug=slug)
    ] == [("lecture", n, None, None) for n in (1, 2, 3, 4)]
    appearance = SpeakerAppearance.objects.get(workshop__slug=slug)
    assert (appearance.speaker.name, appearance.role, appearance.confirmed) == (
        "Qing Qu",
        "lecturer",
        True,
    )


def test_training_center_page_lists_the_collaboration_with_affiliations(loaded, client):
    page = get_page(client, "/workshops/training-center-theoretical-foundations-of-deep-learning/")

    assert "Programme of activities" in page
    assert "an annual summer school" in page
    assert items(page, "team") == [
        "Emmanuel Abbé (EPFL)",
        "P. Bartlett (UC Berkeley)",
        "B. Yu (UC Berkeley)",
        "A. Montanari (Stanford)",
        "E. Mossel (MIT)",
        "S. Rakhlin (MIT)",
        "N. Sun (MIT)",
        "M. Belkin (UCSD)",
        "N. Srebro (TTIC)",
        "R. Vershynin (UCI)",
        "A. Daniely (Hebrew University of Jerusalem)",
    ]
    assert text(section(page, "workshop-dates")) == "TBA"
    assert "Time zone" not in page
    series = get_page(client, "/series/theoretical-foundations-of-deep-learning/")
    assert "that overparametrization allows" in series
    assert "$10 million" in series


def test_demo_workshop_page_is_labelled_and_dated_ahead(loaded, client):
    page = get_page(client, "/workshops/demo-workshop/")

    assert "Demo Workshop on Sparse and Low-Rank Models (demo data)" in page
    assert "Demo data: a fictional workshop to try every flow of the platform." in page
    assert "23:59 AoE" in text(section(page, "key-dates"))
    start = Workshop.objects.get(slug="demo-workshop").start_date
    assert start == demo_workshop.demo_start_date(timezone.localdate())
    assert start.weekday() == 1
    day_two = start + dt.timedelta(days=1)
    rows = schedule_rows(page)
    assert [row for row in rows if "(Day" in row] == [
        f"{start:%a} {start.day} {start:%b} (Day 1)",
        f"{day_two:%a} {day_two.day} {day_two:%b} (Day 2)",
    ]
    assert "10:45–11:30 Chiara Sample: Tensor sketches for the impatient (demo talk) Room B" in rows


def test_home_lists_the_demo_workshop_upcoming_and_lorainne_past(loaded, client):
    page = get_page(client, "/")
    upcoming, rest = page.split('id="undated-heading"')
    undated, past = rest.split('id="past-heading"')

    assert "Demo Workshop on Sparse and Low-Rank Models (demo data)" in upcoming
    assert "Mathematics of Modern Machine Learning" in undated
    assert "LoRAINNe&#x27;24" in past
    assert "Third Workshop on Seeking Low-Dimensionality" in past
    assert "LoRAINNe" not in upcoming
