"""The collaboration's training center at EPFL (seed 004)."""

from __future__ import annotations

from inspect import cleandoc

from demo.upsert import (
    Person,
    set_team,
    upsert_series,
    upsert_workshop,
)
from workshops.models import (
    Workshop,
)

COLLABORATION_DESCRIPTION = cleandoc(
    """
    Two international teams of scientists have been awarded a total of $10 million grant from
    the US National Science Foundation (NSF) and the Simons Foundation to research the
    mathematics of deep learning, in the general area of Mathematical and Scientific Foundations
    of Deep Learning (MoDL). The Collaboration on the Theoretical Foundations of Deep Learning is
    one of the two teams, which split the NSF-Simons grant.

    The collaboration aims to understand the mathematical mechanisms that underpin the practical
    success of deep learning, to use this understanding to elucidate the limitations of current
    methods and extend them beyond the domains where they are currently applicable, and to
    initiate the study of the array of mathematical problems that emerge.

    Its research agenda is built on the following hypotheses: that overparametrization allows
    efficient optimization; that interpolation with implicit regularization enables
    generalization; and that depth confers representational richness through compositionality.
    """
)


TRAINING_CENTER_DESCRIPTION = cleandoc(
    """
    At EPFL, the Collaboration on the Theoretical Foundations of Deep Learning will run a
    “training center” with various activities:

    - activities for visitors, talks, workshops, summer schools and postdoc programs;
    - an annual summer school that will deliver curriculum in the theoretical foundations of deep
      learning to a diverse group of graduate students, postdocs, and junior faculty;
    - research workshops, open to the public, that will serve the broader research community.
    """
)


COLLABORATION_MEMBERS = (
    Person("Emmanuel Abbé", "EPFL"),
    Person("P. Bartlett", "UC Berkeley"),
    Person("B. Yu", "UC Berkeley"),
    Person("A. Montanari", "Stanford"),
    Person("E. Mossel", "MIT"),
    Person("S. Rakhlin", "MIT"),
    Person("N. Sun", "MIT"),
    Person("M. Belkin", "UCSD"),
    Person("N. Srebro", "TTIC"),
    Person("R. Vershynin", "UCI"),
    Person("A. Daniely", "Hebrew University of Jerusalem"),
)


SLUG = "training-center-theoretical-foundations-of-deep-learning"


def load_training_center() -> Workshop:
    """Upsert the collaboration's series and its training-center programme at EPFL."""
    series = upsert_series(
        slug="theoretical-foundations-of-deep-learning",
        name="Collaboration on the Theoretical Foundations of Deep Learning",
        description=COLLABORATION_DESCRIPTION,
    )
    workshop = upsert_workshop(
        slug=SLUG,
        series=series,
        kind=Workshop.Kind.PROGRAMME,
        title=(
            "Training center of the Collaboration on the Theoretical Foundations of Deep Learning"
        ),
        description=TRAINING_CENTER_DESCRIPTION,
        venue_name="EPFL",
    )
    set_team(workshop, COLLABORATION_MEMBERS)
    return workshop
