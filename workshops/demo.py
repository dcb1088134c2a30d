"""Demo content: the real workshop pages we started from, plus one fictional upcoming workshop.

Every loader upserts on slugs and natural fields, so loading twice changes no row count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from inspect import cleandoc

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from workshops import services
from workshops.models import (
    KeyDate,
    Room,
    ScheduleItem,
    Series,
    SpeakerAppearance,
    SpeakerProfile,
    TeamMember,
    Topic,
    Workshop,
)
from workshops.timezones import AOE

Kind = ScheduleItem.Kind
Role = SpeakerAppearance.Role


@dataclass(frozen=True)
class Person:
    name: str
    affiliation: str = ""
    url: str = ""
    role: str = ""


@dataclass(frozen=True)
class DateData:
    label: str
    date: dt.date | None = None
    end_date: dt.date | None = None
    time: dt.time | None = None
    time_zone: str = ""


@dataclass(frozen=True)
class TopicData:
    name: str
    description: str = ""
    subtopics: tuple[TopicData, ...] = ()


@dataclass(frozen=True)
class Slot:
    """A programme item; `day` counts from the workshop's first day, times are local “HH:MM”."""

    kind: str
    title: str = ""
    speakers: tuple[str, ...] = ()
    day: int = 0
    start: str = ""
    end: str = ""
    duration: dt.timedelta | None = None
    abstract: str = ""
    room: str = ""


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    full_name: str
    is_superuser: bool


ADMIN = DemoUser("admin@example.org", "admin", "Demo Admin", is_superuser=True)
ORGANIZER = DemoUser("organizer@example.org", "organizer", "Demo Organizer", is_superuser=False)


def _talk(speaker: str, title: str = "", **slot) -> Slot:
    return Slot(Kind.TALK, title, speakers=(speaker,), **slot)


def _hours(hours: float) -> dt.timedelta:
    return dt.timedelta(hours=hours)


# LoRAINNe'24 (seed 003): the seed's table heads day 2 “Wed 26 Nov”, but 26 November 2024 is a
# Tuesday and the workshop runs 26–27 November, so day 2 is Wednesday 27 November.

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
    _talk(
        "André de Almeida",
        "Overview of tensor decompositions and some applications to wireless communications",
        day=0,
        start="14:15",
        end="15:15",
    ),
    _talk(
        "Mariya Ishteva",
        "Decoupling multivariate functions using tensors",
        day=0,
        start="15:15",
        end="15:45",
    ),
    Slot(Kind.BREAK, "Coffee break", day=0, start="15:45", end="16:15"),
    _talk("Francesco Tudisco", day=0, start="16:15", end="17:15"),
    Slot(Kind.SPOTLIGHT, "Spotlight posters", day=0, start="17:15", end="17:30"),
    Slot(Kind.SOCIAL, "Cocktail + posters", day=0, start="17:30", end="19:00"),
    Slot(Kind.BREAK, "Welcome coffee", day=1, start="09:00", end="09:30"),
    _talk(
        "Bernard Mourrain",
        "Low rank approximation of moment matrices and tensors",
        day=1,
        start="09:30",
        end="10:30",
    ),
    _talk(
        "Jérémy Cohen",
        "Implicit Regularization in Regularized (Nonnegative) Low-Rank Approximations",
        day=1,
        start="10:30",
        end="11:00",
        abstract=COHEN_ABSTRACT,
    ),
    Slot(Kind.BREAK, "Coffee break", day=1, start="11:00", end="11:30"),
    _talk("Julia Gusak", day=1, start="11:30", end="12:30"),
    Slot(Kind.MEAL, "Lunch break", day=1, start="12:30", end="14:00"),
    _talk(
        "Christophe Cerisara",
        "Study of a few properties of LLM pruning",
        day=1,
        start="14:00",
        end="15:00",
    ),
    Slot(Kind.TALK, "Invited talk", day=1, start="15:00", end="15:30"),
    Slot(Kind.TALK, "Invited talk", day=1, start="15:30", end="16:00"),
    Slot(Kind.BREAK, "Farewell coffee break", day=1, start="16:00", end="17:00"),
    _talk("Yang Qi", "On the multi-spiked random tensor model"),
    _talk("Yassine Zniyed", "Network compression using tensor decompositions and pruning"),
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


# The third SLowDNN workshop (seed 000). Its schedule and team are Jekyll loops over data the
# seed does not include, so the demo has neither.

SLOWDNN_DESCRIPTION = cleandoc(
    """
    We are currently in the midst of a data revolution. Massive and ever-growing datasets,
    arising in science, health, or even everyday life, are impacting many areas of society. Many
    of these datasets are not only large -- they are high-dimensional, in the sense that each
    data point may consist of millions or even billions of numbers. A basic challenge spanning
    signal processing, statistics, and optimization is to leverage lower-dimensional structures
    in high-dimensional datasets. Low-dimensional signal modeling has driven developments both
    in theory and in applications to a vast array of areas, from medical and scientific imaging,
    to low-power sensors, to the modeling and interpretation of bioinformatics data sets, just
    to name a few. However, massive modern datasets pose an additional challenge: as datasets
    grow, data collection techniques become increasingly uncontrolled, and it is common to
    encounter gross errors or malicious corruptions, and nonlinearity. Classical techniques
    break down completely in this setting, and new theories and algorithms are needed.

    To meet those challenges, there have been explosive developments in the study of
    low-dimensional structures in high-dimensional spaces over the past two decades. To a large
    extent, the geometric and statistical properties of representative low-dimensional models
    (such as sparse and low-rank and their variants and extensions) are now well understood.
    Many highly efficient and scalable algorithms have been developed for recovering such
    low-dimensional models from high-dimensional data. The working conditions and data and
    computational complexities of these algorithms have also been thoroughly and precisely
    characterized. These theoretical results and algorithms have already revolutionized the
    practice of data science and signal processing, and have had significant impacts on sensing,
    imaging, and information processing. On the other hand, recently strong connections between
    deep neural networks and low-dimensional models have emerged at multiple levels, in terms of
    learning representations, network architectures, and optimization strategies. Such
    connections do not only help explain many intriguing phenomena in deep learning, but also
    provide new guiding principles for better network design, optimization, robustness, and
    generalization of deep networks in both supervised and unsupervised scenarios.

    Given these exciting and less-exploited connections, this workshop aims to bring together
    experts in machine learning, applied mathematics, signal processing, and optimization, to
    share recent progress and foster collaborations on the mathematical foundations of deep
    learning. As the community begins to embrace the power of deep learning, with unprecedented
    new challenges in terms of modeling and interpretability, we hope to stimulate vibrate
    discussions towards bridging the gap between the theory and practice of deep learning.
    """
)


def load_slowdnn_2023() -> Workshop:
    """Upsert the third SLowDNN workshop (MBZUAI, Abu Dhabi, 3–6 January 2023)."""
    series = upsert_series(
        slug="slowdnn",
        name="Workshop on Seeking Low-Dimensionality in Deep Neural Networks",
        short_name="SLowDNN",
    )
    workshop = upsert_workshop(
        slug="slowdnn-2023",
        series=series,
        edition="Third",
        title="Third Workshop on Seeking Low-Dimensionality in Deep Neural Networks (SLowDNN)",
        description=SLOWDNN_DESCRIPTION,
        start_date=dt.date(2023, 1, 3),
        end_date=dt.date(2023, 1, 6),
        time_zone="Asia/Dubai",
        venue_name="MBZUAI",
        venue_url="https://mbzuai.ac.ae/",
        city="Abu Dhabi",
        attendance_note="in person",
        contact_email="slowdnn.workshop@gmail.com",
    )
    set_key_dates(
        workshop,
        [
            DateData("Workshop dates", dt.date(2023, 1, 3), dt.date(2023, 1, 6)),
            DateData("Abstract submission deadline"),
            DateData("Acceptance notification"),
        ],
    )
    return workshop


# Mathematics of Modern Machine Learning (seed 002): no dates, venue or people in the seed.

MOML_DESCRIPTION = cleandoc(
    """
    Deep learning has demonstrated tremendous success in the past decade, sparking a revolution
    in artificial intelligence.

    However, the modern practice of deep learning remains largely an art form, requiring a
    delicate combination of guesswork and careful hyperparameter tuning. This can be attributed
    to the fact that classical machine learning theory fails to explain many deep learning
    phenomena, which inhibits its ability to provide effective guidance in practice.

    As we enter the large model era of deep learning, this issue becomes even more critical since
    trial and error with billion- or trillion-size models can result in enormous costs of time
    and computation. There is a greater need than ever before for theory that can guide practice
    and provide principled ways to train large models.

    This workshop solicits contributions that bridge the gap between deep learning theory and the
    modern practice of deep learning in an effort to build a mathematical theory of machine
    learning that can both explain and inspire modern practice. We welcome new mathematical
    analyses that bridge the gap between existing theory and modern practice, as well as
    empirical findings that challenge existing theories and offer avenues for future theoretical
    investigations.
    """
)

MOML_TOPICS = (
    TopicData(
        "Reconciling Optimization Theory with Deep Learning Practice",
        subtopics=(
            TopicData(
                "Convergence analysis beyond the stable regime",
                "How do optimization methods minimize training losses despite large learning "
                "rates and large gradient noise? How should we understand the Edge of Stability "
                "(EoS) phenomenon? What could be more realistic assumptions for the loss "
                "landscape and gradient noise that foster training algorithms with faster "
                "convergence both in theory and practice?",
            ),
            TopicData(
                "Continuous approximations of training trajectories",
                "Can we obtain insights into the discrete-time gradient dynamics by "
                "approximating them with a continuous counterpart, e.g., gradient flow or SDE? "
                "When is such an approximation valid?",
            ),
            TopicData(
                "Advanced optimization algorithms",
                "adaptive gradient algorithms, second-order algorithms, distributed training "
                "algorithms, etc.",
            ),
        ),
    ),
    TopicData(
        "Generalization for Overparametrized Models",
        subtopics=(
            TopicData(
                "Implicit bias",
                "What implicit bias do training algorithms have? How do gradient-based "
                "algorithms implicitly pick the solution with good generalization despite the "
                "existence of non-generalizing minimizers?",
            ),
            TopicData(
                "Generalization Measures",
                "What is the relationship between generalization performances and common "
                "generalization measures? (e.g., sharpness, margin, norm, etc.) Can we prove "
                "non-vacuous generalization bounds based on these generalization measures?",
            ),
            TopicData(
                "Roles of Key Components in Algorithm and Architecture",
                # The seed's “decayï¼Œ” is a full-width comma read as Latin-1: a plain comma.
                "What are the roles of initialization, learning rate warmup and decay, and "
                "normalization layers?",
            ),
            TopicData(
                "Intriguing Generalization Phenomena",
                "Generalization despite overparameterization, double descent, benign "
                "overfitting, grokking, vulnerability to adversarial examples, etc.",
            ),
        ),
    ),
    TopicData(
        "Theory for Foundation Models/Pretrained Models",
        subtopics=(
            TopicData(
                "Pretraining",
                "What do foundation models learn in pretraining that allows for efficient "
                "finetuning? How does the choice of dataset/architecture affect this?",
            ),
            TopicData(
                "Multimodal Representations",
                "How can we learn representations from multimodal data?",
            ),
            TopicData(
                "Scaling laws",
                "How and why does the performance scale with data, compute, and model size?",
            ),
            TopicData(
                "Emergent Phenomena",
                "In-context learning capabilities, few-shot reasoning capabilities such as Chain "
                "of Thought (CoT), and improved robustness/calibration.",
            ),
            TopicData(
                "Adaptation of Pretrained Models",
                "Fine-tuning, prompting, in-context learning, instruction-tuning, RLHF, etc.",
            ),
        ),
    ),
    TopicData(
        "Provable Guarantees Beyond Supervised Learning Settings",
        subtopics=(
            TopicData(
                "Deep Reinforcement Learning",
                "How should we analyze the training dynamics of deep reinforcement learning "
                "algorithms?",
            ),
            TopicData(
                "Generative Models",
                "How do different generative modeling methods compare? What do we understand "
                "about the complexity and efficiency, and are there fundamental limitations?",
            ),
            TopicData(
                "Representation Learning and Transfer Learning",
                "What properties of the source and target tasks allow for efficient transfer "
                "learning? What types of representations can be learned via self-supervised "
                "learning (e.g., contrastive learning)",
            ),
            TopicData(
                "Continual Learning",
                "How do we adapt the model to new tasks while preserving the performance of old "
                "tasks?",
            ),
        ),
    ),
)


def load_moml() -> Workshop:
    """Upsert the Mathematics of Modern Machine Learning workshop and its topics."""
    workshop = upsert_workshop(
        slug="mathematics-of-modern-machine-learning",
        title="Mathematics of Modern Machine Learning",
        description=MOML_DESCRIPTION,
    )
    set_topics(workshop, MOML_TOPICS)
    return workshop


# Qing Qu's lecture course (seed 001, OCR of slides). The deck shows no title slide; the course
# outline follows the slide “The Emergence of Low-Dim Models in Deep Learning”, so that heading
# names the course. The OCR's “Noconvex” is corrected to “Nonconvex”.

QU = Person("Qing Qu", "EECS, University of Michigan")

QU_DESCRIPTION = cleandoc(
    """
    The course starts from the success of deep learning (computer vision, gameplay, natural
    language processing, autonomous driving) and the trend of large models: about 23 million
    parameters in ResNet-50 for about 1 million samples in ImageNet. In principle, a deep network
    can fit any training labels (not only clean, but also corrupted labels).

    Large models bring challenges and opportunities: a tremendous cost of computation, they are
    difficult to interpret and vulnerable to data corruptions. What are the theory and principles
    behind their success? Low-dimensional structures, well studied in nonconvex optimization
    (sparse recovery, low-rank matrix recovery, (sparse) phase retrieval, super-resolution,
    (sparse) blind deconvolution, (convolutional) dictionary learning), are largely ignored; the
    course follows the emergence of low-dimensional models in deep learning.
    """
)

QU_LECTURES = (
    Slot(
        Kind.LECTURE,
        "Low-dimensional Models & Nonconvex Optimization",
        speakers=(QU.name,),
        duration=_hours(1),
    ),
    Slot(
        Kind.LECTURE,
        "Low-dimensional Representations in Deep Learning I: Neural Collapse",
        speakers=(QU.name,),
        duration=_hours(1),
    ),
    Slot(
        Kind.LECTURE,
        "Low-dimensional Representations in Deep Learning II: Law-of-Parsimony in GD",
        speakers=(QU.name,),
        duration=_hours(1.5),
    ),
    Slot(
        Kind.LECTURE,
        "Low-dimensional Models for Robust Learning",
        speakers=(QU.name,),
        duration=_hours(0.5),
    ),
)


def load_qu_lecture_course() -> Workshop:
    """Upsert Qing Qu's four-lecture course on low-dimensional models in deep learning."""
    workshop = upsert_workshop(
        slug="emergence-of-low-dim-models-in-deep-learning",
        kind=Workshop.Kind.LECTURE_SERIES,
        title="The Emergence of Low-Dim Models in Deep Learning",
        tagline="Four lectures by Qing Qu (EECS, University of Michigan).",
        description=QU_DESCRIPTION,
    )
    speakers = set_speakers(workshop, [QU], role=Role.LECTURER)
    set_schedule(workshop, QU_LECTURES, speakers=speakers)
    return workshop


# The collaboration's training center at EPFL (seed 004, an EPFL news article).

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


def load_training_center() -> Workshop:
    """Upsert the collaboration's series and its training-center programme at EPFL."""
    series = upsert_series(
        slug="theoretical-foundations-of-deep-learning",
        name="Collaboration on the Theoretical Foundations of Deep Learning",
        description=COLLABORATION_DESCRIPTION,
    )
    workshop = upsert_workshop(
        slug="training-center-theoretical-foundations-of-deep-learning",
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


# The fictional upcoming workshop: everything below is invented, and says so.

DEMO_SPEAKERS = (
    Person("Ada Example", "University of Exampleton (fictional)", "https://example.org/ada/"),
    Person("Bruno Placeholder", "Institute of Samples (fictional)", "https://example.org/bruno/"),
    Person("Chiara Sample", "University of Exampleton (fictional)", "https://example.org/chiara/"),
    Person("Dmitri Mock", "Demo Research Lab (fictional)", "https://example.org/dmitri/"),
)

TUESDAY = 1  # as in date.weekday()

DEMO_ROOMS = (("Amphitheatre A", 120), ("Room B", 40))

DEMO_SCHEDULE = (
    Slot(Kind.REGISTRATION, "Registration", day=0, start="08:30", end="09:00"),
    Slot(Kind.OPENING, "Opening remarks", day=0, start="09:00", end="09:15"),
    Slot(
        Kind.KEYNOTE,
        "Why low rank? A demo keynote",
        speakers=("Ada Example",),
        day=0,
        start="09:15",
        end="10:15",
        abstract="A fictional keynote abstract, here to show how abstracts look (demo data).",
        room="Amphitheatre A",
    ),
    Slot(Kind.BREAK, "Coffee break", day=0, start="10:15", end="10:45"),
    _talk(
        "Bruno Placeholder",
        "Sparse recovery in five minutes (demo talk)",
        day=0,
        start="10:45",
        end="11:30",
        room="Amphitheatre A",
    ),
    _talk(
        "Chiara Sample",
        "Tensor sketches for the impatient (demo talk)",
        day=0,
        start="10:45",
        end="11:30",
        room="Room B",
    ),
    Slot(Kind.MEAL, "Lunch break", day=0, start="12:30", end="14:00"),
    Slot(Kind.SPOTLIGHT, "Poster spotlights", day=0, start="14:00", end="14:30"),
    Slot(Kind.POSTER_SESSION, "Poster session", day=0, start="14:30", end="16:00"),
    Slot(Kind.SOCIAL, "Workshop dinner", day=0, start="19:00", end="21:30"),
    Slot(Kind.BREAK, "Welcome coffee", day=1, start="09:00", end="09:30"),
    _talk(
        "Dmitri Mock",
        "Low-rank adapters, explained with toy data (demo talk)",
        day=1,
        start="09:30",
        end="10:15",
        room="Amphitheatre A",
    ),
    Slot(Kind.TUTORIAL, "Hands-on tutorial (demo)", day=1, start="10:30", end="12:00"),
    Slot(Kind.CLOSING, "Closing remarks", day=1, start="12:00", end="12:15"),
    _talk("Ada Example", "A talk still looking for its slot (demo talk)", duration=_hours(0.5)),
)

DEMO_TOPICS = (
    TopicData(
        "Sparse models",
        "Compressed sensing and sparse coding (demo topic).",
        subtopics=(TopicData("Dictionary learning", "Learning the basis from data."),),
    ),
    TopicData(
        "Low-rank models",
        "Matrix and tensor factorizations (demo topic).",
        subtopics=(TopicData("Low-rank adapters", "Fine-tuning large models cheaply."),),
    ),
    TopicData("Theory of deep learning", "Optimization and generalization (demo topic)."),
)

DEMO_TEAM = (
    Person("Alex Organizer", "University of Exampleton (fictional)", role="Chair"),
    Person("Sam Helper", "Demo Research Lab (fictional)", "https://example.org/sam/"),
)


def demo_start_date(today: dt.date) -> dt.date:
    """Return the first Tuesday at least 45 days after today."""
    earliest = today + dt.timedelta(days=45)
    return earliest + dt.timedelta(days=(TUESDAY - earliest.weekday()) % 7)


DEMO_SLUG = "demo-workshop"


def load_demo_workshop(*, today: dt.date) -> Workshop:
    """Upsert the fictional upcoming workshop, its dates recomputed from today."""
    start = demo_start_date(today)
    workshop = upsert_workshop(
        slug=DEMO_SLUG,
        title="Demo Workshop on Sparse and Low-Rank Models (demo data)",
        short_title="Demo Workshop",
        tagline="Demo data: a fictional workshop to try every flow of the platform.",
        description=(
            "Everything about this workshop is invented: it exists so that you can try the "
            "public pages and the admin with realistic content."
        ),
        start_date=start,
        end_date=start + dt.timedelta(days=1),
        time_zone="Europe/Paris",
        venue_name="Example Conference Centre (fictional)",
        venue_address="1 Example Street",
        city="Exampleton",
        attendance_note="in person",
        registration_note="Registration is free (demo data).",
        speakers_note="More demo speakers may be announced.",
        contact_email="demo-workshop@example.org",
        schedule_status=Workshop.ScheduleStatus.TENTATIVE,
    )
    set_key_dates(
        workshop,
        [
            DateData(
                "Abstract submission deadline",
                start - dt.timedelta(days=30),
                time=dt.time(23, 59),
                time_zone=AOE,
            ),
            DateData("Acceptance notification", start - dt.timedelta(days=20)),
            DateData("Registration closes", start - dt.timedelta(days=7)),
            DateData("Workshop dates", start, start + dt.timedelta(days=1)),
            DateData("Slides due"),
        ],
    )
    set_topics(workshop, DEMO_TOPICS)
    set_team(workshop, DEMO_TEAM)
    rooms = set_rooms(workshop, DEMO_ROOMS)
    speakers = set_speakers(workshop, DEMO_SPEAKERS, role=Role.INVITED)
    set_schedule(workshop, DEMO_SCHEDULE, speakers=speakers, rooms=rooms)
    return workshop


@transaction.atomic
def load_demo(*, today: dt.date | None = None) -> list[Workshop]:
    """Upsert every demo workshop; the fictional one starts at least 45 days after today."""
    today = today or timezone.localdate()
    workshops = [
        load_demo_workshop(today=today),
        load_lorainne24(),
        load_slowdnn_2023(),
        load_moml(),
        load_qu_lecture_course(),
        load_training_center(),
    ]
    for workshop in workshops:  # the public sees releases only, as the organizer would
        services.release_if_changed(workshop)
    return workshops


@transaction.atomic
def load_demo_users() -> list[DemoUser]:
    """Upsert the demo superuser and the organizer of the demo workshop and LoRAINNe'24."""
    upsert_user(ADMIN)
    organizer = upsert_user(ORGANIZER)
    for workshop in Workshop.objects.filter(slug__in=["demo-workshop", "lorainne24"]):
        workshop.organizers.add(organizer)
    return [ADMIN, ORGANIZER]


def upsert_user(demo_user: DemoUser) -> AbstractBaseUser:
    """Create or refresh a demo account, resetting its password only when it differs."""
    fields = {
        "full_name": demo_user.full_name,
        "is_staff": True,
        "is_superuser": demo_user.is_superuser,
        "is_active": True,
    }
    user, _ = get_user_model().objects.update_or_create(
        email=demo_user.email,
        defaults=fields,
        create_defaults={"email": demo_user.email, **fields},
    )
    if not user.check_password(demo_user.password):
        user.set_password(demo_user.password)
        user.save(update_fields=["password"])
    return user


def upsert_series(*, slug: str, **fields) -> Series:
    """Create or update the series with this slug."""
    series, _ = Series.objects.update_or_create(slug=slug, defaults=fields)
    return series


def upsert_workshop(*, slug: str, series: Series | None = None, **fields) -> Workshop:
    """Create or update the published workshop with this slug."""
    workshop, _ = Workshop.objects.update_or_create(
        slug=slug, defaults={"series": series, "published": True, **fields}
    )
    return workshop


def set_key_dates(workshop: Workshop, dates: Sequence[DateData]) -> None:
    """Upsert key dates keyed on their labels, in the given order."""
    for order, data in enumerate(dates, start=1):
        KeyDate.objects.update_or_create(
            workshop=workshop,
            label=data.label,
            defaults={
                "order": order,
                "date": data.date,
                "end_date": data.end_date,
                "time": data.time,
                "time_zone": data.time_zone,
            },
        )


def set_topics(workshop: Workshop, topics: Sequence[TopicData]) -> None:
    """Upsert topics and their subtopics, keyed on parent and name."""
    for order, data in enumerate(topics, start=1):
        topic, _ = Topic.objects.update_or_create(
            workshop=workshop,
            parent=None,
            name=data.name,
            defaults={"order": order, "description": data.description},
        )
        for sub_order, sub in enumerate(data.subtopics, start=1):
            Topic.objects.update_or_create(
                workshop=workshop,
                parent=topic,
                name=sub.name,
                defaults={"order": sub_order, "description": sub.description},
            )


def set_team(workshop: Workshop, people: Sequence[Person]) -> None:
    """Upsert the organizing team, keyed on names."""
    for order, person in enumerate(people, start=1):
        TeamMember.objects.update_or_create(
            workshop=workshop,
            name=person.name,
            defaults={
                "order": order,
                "role": person.role,
                "affiliation": person.affiliation,
                "url": person.url,
            },
        )


def set_rooms(workshop: Workshop, rooms: Sequence[tuple[str, int]]) -> dict[str, Room]:
    """Upsert rooms (name, capacity) and return them by name."""
    return {
        name: Room.objects.update_or_create(
            workshop=workshop, name=name, defaults={"order": order, "capacity": capacity}
        )[0]
        for order, (name, capacity) in enumerate(rooms, start=1)
    }


def set_speakers(
    workshop: Workshop, people: Sequence[Person], *, role: str
) -> dict[str, SpeakerProfile]:
    """Upsert speaker profiles (keyed on their names) and their confirmed appearances."""
    profiles = {}
    for order, person in enumerate(people, start=1):
        details = {"affiliation": person.affiliation, "homepage": person.url}
        profile, _ = SpeakerProfile.objects.update_or_create(
            name=person.name,
            defaults=details,
            # Edited by the organizers of the workshop that first lists the speaker.
            create_defaults={"name": person.name, "home_workshop": workshop, **details},
        )
        SpeakerAppearance.objects.update_or_create(
            workshop=workshop,
            speaker=profile,
            defaults={"order": order, "role": role, "confirmed": True},
        )
        profiles[person.name] = profile
    return profiles


def set_schedule(
    workshop: Workshop,
    slots: Sequence[Slot],
    *,
    speakers: dict[str, SpeakerProfile],
    rooms: dict[str, Room] | None = None,
) -> None:
    """Upsert the programme; the item's order is its key (titles repeat, and some are empty)."""
    rooms = rooms or {}
    for order, slot in enumerate(slots, start=1):
        item, _ = ScheduleItem.objects.update_or_create(
            workshop=workshop,
            order=order,
            defaults={
                "kind": slot.kind,
                "title": slot.title,
                "start": _local(workshop, slot.day, slot.start),
                "end": _local(workshop, slot.day, slot.end),
                "duration": slot.duration,
                "abstract": slot.abstract,
                "room": rooms.get(slot.room),
            },
        )
        item.speakers.set([speakers[name] for name in slot.speakers])


def _local(workshop: Workshop, day: int, hhmm: str) -> dt.datetime | None:
    if not hhmm:
        return None
    date = workshop.start_date + dt.timedelta(days=day)
    return workshop.local_datetime(date, dt.time.fromisoformat(hhmm))
