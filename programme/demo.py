"""Demo programme goals and investments: Nordmaling's project goals (at least four
service points under agreement, visits up 5 %, staff trained, the service points
ready as crisis centres) for each year of the demo, and investments at three
service points financed in part by the region's investment grant. The amounts are
invented."""

from datetime import date

from django.utils import timezone

from accounts.models import Role
from programme.models import Investment, ProgrammeGoals
from programme.services import goals_save, investment_save

# Years of goals: from the first demo agreement's year (three years ago) to this one.
GOAL_YEARS_BACK = 3
OWN_GOAL = "Alla servicepunkter kan fungera som trygghetspunkt vid kris."

# outlet, years ago, month, what, regional grant, municipality, shop, other aid
# (from), decision reference
DEMO_INVESTMENTS = [
    (
        "ICA Lundins",
        2,
        4,
        "Uttagsautomat",
        42_500,
        21_250,
        21_250,
        0,
        "",
        "RS {year}/112",
    ),
    (
        "Pers Livs",
        1,
        3,
        "Mötesplats med dator och webbkamera",
        19_000,
        9_500,
        9_500,
        0,
        "",
        "KS {year}/57",
    ),
    (
        "Pers Livs",
        1,
        9,
        "Reservkraftverk",
        30_000,
        15_000,
        0,
        15_000,
        "Länsstyrelsen, krisberedskapsmedel",
        "KS {year}/131",
    ),
    (
        "Handlarn Nyåker",
        3,
        5,
        "Paketskåp",
        0,
        12_000,
        8_000,
        0,
        "",
        "KS {year}/74",
    ),
]


def seed_programme(nordmaling, outlets, users):
    """The goals of each demo year and the investments, unless already there."""
    today = timezone.localdate()
    administrator = users[Role.ADMINISTRATOR]
    for year in range(today.year - GOAL_YEARS_BACK, today.year + 1):
        if ProgrammeGoals.objects.filter(municipality=nordmaling, year=year).exists():
            continue
        this_year = year == today.year
        last_year = year == today.year - 1
        # The project's goals from the start; the training and activity goals and
        # the crisis-centre goal came later.
        goals_save(
            goals=ProgrammeGoals(
                municipality=nordmaling,
                year=year,
                service_points=4,
                visitors_change_percent=5,
                staff_trained=6 if this_year else None,
                activities_held=2 if this_year else None,
                own_goal=OWN_GOAL if this_year or last_year else "",
                own_goal_outcome=(
                    "Pers Livs och ICA Lundins har reservkraft; Handlarn Nyåker "
                    "saknar det."
                    if last_year
                    else ""
                ),
                own_goal_met=False if last_year else None,
            ),
            by=administrator,
        )
    official = users[Role.OFFICIAL]
    for (
        name,
        years_ago,
        month,
        description,
        regional,
        municipal,
        own,
        other,
        other_from,
        reference,
    ) in DEMO_INVESTMENTS:
        outlet = outlets[name]
        if Investment.objects.filter(outlet=outlet, description=description).exists():
            continue
        year = today.year - years_ago
        investment_save(
            investment=Investment(
                outlet=outlet,
                description=description,
                made_on=date(year, month, 15),
                cost=regional + municipal + own + other,
                regional_grant=regional,
                municipal_funding=municipal,
                own_funding=own,
                other_aid=other,
                other_aid_from=other_from,
                decision_reference=reference.format(year=year),
            ),
            by=official,
        )
