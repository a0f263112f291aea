"""The visitors target moves from the follow-up settings (one number for every year)
to the programme's goals (one per year): each municipality with agreements or stored
settings gets it as its visitors goal in every year its reports cover, so that the
key figures judge the service points as before."""

from django.db import migrations
from django.db.models import Min
from django.utils import timezone

DEFAULT_TARGET = 5  # FollowUpSettings' default before the move


def copy_visitors_target(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    FollowUpSettings = apps.get_model("followup", "FollowUpSettings")
    ProgrammeGoals = apps.get_model("programme", "ProgrammeGoals")
    this_year = timezone.localdate().year
    targets = dict(
        FollowUpSettings.objects.values_list("municipality", "visitors_target_percent")
    )
    first_years = {
        row["municipality"]: row["first"].year
        for row in Agreement.objects.values("municipality").annotate(
            first=Min("starts_on")
        )
        if row["first"]
    }
    for municipality_id in set(targets) | set(first_years):
        first = min(first_years.get(municipality_id, this_year), this_year) - 1
        for year in range(first, this_year + 2):
            ProgrammeGoals.objects.get_or_create(
                municipality_id=municipality_id,
                year=year,
                defaults={
                    "visitors_change_percent": targets.get(
                        municipality_id, DEFAULT_TARGET
                    )
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("programme", "0001_goals_and_investments"),
        ("followup", "0004_site_visit_photos"),
        ("agreements", "0019_payout_withheld_released_or_cancelled"),
    ]

    operations = [
        migrations.RunPython(copy_visitors_target, migrations.RunPython.noop),
    ]
