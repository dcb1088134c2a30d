"""LoRAINNe'24 (seed 003): Nancy, two days, invited speakers and a tentative schedule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from inspect import cleandoc

from demo.upsert import (
    DateData,
    Kind,
    Person,
    Role,
    Slot,
    set_key_dates,
    set_schedule,
    set_speakers,
    set_team,
    talk,
    upsert_series,
    upsert_workshop,
)
from workshops.models import (
    Workshop,
)

LORAINNE_DESCRIPTION = cleandoc(
    """
    This workshop will explore low-rank matrix and tensor decompositions/approximations and
    their interactions with neural networks and machine learning at large. The workshop will
    cover theoretical foundations as well as practical applications, with the main goal to
    connect researchers working in these fields. This workshop is also a closing event for the
    ANR LeaFleT project (project ANR-19-CE23-0021).

    We will start at 13h-14h on 26 November and should finish on the 27th in the afternoon.
    """
)


LORAINNE_SPEAKERS = (
    Person(
        "André de Almeida",
        "Federal University of Ceara, Fortaleza",
        "https://professors.gtel.ufc.br/andre/",
    ),
    Person("Christophe Cerisara", "CNRS-LORIA, Nancy", "https://members.loria.fr/CCerisara/"),
    Person("Jérémy Cohen", "CNRS-CREATIS, Lyon", "https://jeremy-e-cohen.jimdofree.com"),
    Person("Julia Gusak", "INRIA Bordeaux", "https://juliagusak.github.io"),
    Person("Mariya Ishteva", "Katholieke Universiteit Leuven"),
    Person(
        "Bernard Mourrain",
        "INRIA Sophia-Antipolis",
        "https://www-sop.inria.fr/members/Bernard.Mourrain/",
    ),
    Person("Francesco Tudisco", "University of Edinburgh", "https://ftudisco.gitlab.io/"),
    Person("Yang Qi", "INRIA Saclay – Île-de-France", "https://sites.google.com/view/yangqi"),
    Person(
        "Yassine Zniyed", "University of Toulon", "https://yzniyed.blogspot.com/p/about-me.html"
    ),
)


COHEN_ABSTRACT = cleandoc(
    """
    Regularized nonnegative low-rank approximations such as sparse Nonnegative Matrix
    Factorization or Sparse Nonnegative Tucker Decomposition are an important branch of
    dimensionality reduction models with enhanced interpretability. However, from a practical
    perspective, the choice of regularizers and regularization coefficients is often challenging
    because of the multifactor nature of these models and the lack of theory to back these
    choices. The work presented aims at improving upon these issues. By studying a more general
    model called the Homogeneous Regularized Scale-Invariant, we prove that the scale- invariance
    inherent to low-rank approximation models causes an implicit regularization with unexpected
    effects. This observation enables to better understand the effect of regularization
    functions in low-rank approximation models, to guide the choice of the regularization
    hyperparameters, and to design balancing strategies to enhance the convergence speed of
    dedicated optimization algorithms. We showcase our contributions on sparse Nonnegative Matrix
    Factorization, ridge-regularized Canonical Polyadic decomposition and sparse Nonnegative
    Tucker Decomposition.
    """
)


LORAINNE_SCHEDULE = (
    Slot(Kind.REGISTRATION, "Registration", day=0, start="13:45", end="14:00"),
    Slot(Kind.OPENING, "Opening remarks", day=0, start="14:00", end="14:15"),
    talk(
        "André de Almeida",
        "Overview of tensor decompositions and some applications to wireless communications",
        day=0,
        start="14:15",
        end="15:15",
    ),
    talk(
        "Mariya Ishteva",
        "Decoupling multivariate functions using tensors",
        day=0,
        start="15:15",
        end="15:45",
    ),
    Slot(Kind.BREAK, "Coffee break", day=0, start="15:45", end="16:15"),
    talk("Francesco Tudisco", day=0, start="16:15", end="17:15"),
    Slot(Kind.SPOTLIGHT, "Spotlight posters", day=0, start="17:15", end="17:30"),
    Slot(Kind.SOCIAL, "Cocktail + posters", day=0, start="17:30", end="19:00"),
    Slot(Kind.BREAK, "Welcome coffee", day=1, start="09:00", end="09:30"),
    talk(
        "Bernard Mourrain",
        "Low rank approximation of moment matrices and tensors",
        day=1,
        start="09:30",
        end="10:30",
    ),
    talk(
        "Jérémy Cohen",
        "Implicit Regularization in Regularized (Nonnegative) Low-Rank Approximations",
        day=1,
        start="10:30",
        end="11:00",
        abstract=COHEN_ABSTRACT,
    ),
    Slot(Kind.BREAK, "Coffee break", day=1, start="11:00", end="11:30"),
    talk("Julia Gusak", day=1, start="11:30", end="12:30"),
    Slot(Kind.MEAL, "Lunch break", day=1, start="12:30", end="14:00"),
    talk(
        "Christophe Cerisara",
        "Study of a few properties of LLM pruning",
        day=1,
        start="14:00",
        end="15:00",
    ),
    Slot(Kind.TALK, "Invited talk", day=1, start="15:00", end="15:30"),
    Slot(Kind.TALK, "Invited talk", day=1, start="15:30", end="16:00"),
    Slot(Kind.BREAK, "Farewell coffee break", day=1, start="16:00", end="17:00"),
    talk("Yang Qi", "On the multi-spiked random tensor model"),
    talk("Yassine Zniyed", "Network compression using tensor decompositions and pruning"),
)


LORAINNE_TEAM = (
    Person("Ricardo Borsoi"),
    Person("Marianne Clausel"),
    Person("Sebastian Miron"),
    Person("Konstantin Usevich"),
    Person("SiMul @ CRAN", url="https://cran-simul.github.io/"),
)


def load_lorainne24() -> Workshop:
    """Upsert LoRAINNe'24 (Nancy, 26–27 November 2024) with its speakers and schedule."""
    series = upsert_series(slug="lorainne", name="LoRAINNe", short_name="LoRAINNe")
    workshop = upsert_workshop(
        slug="lorainne24",
        series=series,
        edition="2024",
        title=(
            "LoRAINNe'24: workshop on LOw-Rank Approximations and their Interactions "
            "with Neural NEtworks"
        ),
        short_title="LoRAINNe'24",
        description=LORAINNE_DESCRIPTION,
        start_date=dt.date(2024, 11, 26),
        end_date=dt.date(2024, 11, 27),
        time_zone="Europe/Paris",
        venue_name="IDMC (Institut des Sciences du Digital)",
        city="Nancy",
        country="France",
        directions_url=(
            "https://www.openstreetmap.org/directions?engine=fossgis_osrm_foot"
            "&route=48.68979%2C6.17514%3B48.69743%2C6.17170#map=16/48.69352/6.17392"
        ),
        # The “How to get there” link is a walking route from Nancy's railway station (its
        # start point) to the venue, so the route's end point is where IDMC is.
        latitude=Decimal("48.697430"),
        longitude=Decimal("6.171700"),
        registration_note="Registration is free but mandatory (the capacity is limited).",
        speakers_note="We will be announcing the full list of speakers shortly.",
        # The seed gives a pattern, not an address: no mailbox can be linked.
        contact_email="",
        contact_note="Email the organizers at firstname.lastname@univ-lorraine.fr",
        schedule_status=Workshop.ScheduleStatus.TENTATIVE,
    )
    set_key_dates(
        workshop,
        [DateData("Workshop dates", dt.date(2024, 11, 26), dt.date(2024, 11, 27))],
    )
    speakers = set_speakers(workshop, LORAINNE_SPEAKERS, role=Role.INVITED)
    set_schedule(workshop, LORAINNE_SCHEDULE, speakers=speakers)
    set_team(workshop, LORAINNE_TEAM)
    return workshop
