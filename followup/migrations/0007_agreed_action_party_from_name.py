"""The responsible party of the agreed actions recorded before it was asked for,
read from the name the dialogue gave (the name is kept).

The municipality's when the name says so ("Kommunen", "Nordmalings kommun", "Johan,
handläggare"); the shop's when it names the shop, its company, the person who signs
for it or one of its owners ("Butiken", "Per", "Pers Livs"); otherwise the
municipality's, whose officials see every action and keep track of it.
"""

import re

from django.db import migrations

MUNICIPALITY_WORDS = ("kommun", "handläggare", "näringsliv", "tjänsteperson")
SHOP_WORDS = ("butik", "affär", "handlare", "handlarn", "ägare", "innehavare")


def words(text):
    return {word for word in re.findall(r"\w+", text.casefold()) if len(word) > 1}


def party_of(action):
    name = action.responsible.casefold()
    if any(word in name for word in MUNICIPALITY_WORDS):
        return "municipality"
    if any(word in name for word in SHOP_WORDS):
        return "shop"
    agreement = action.meeting.followup.agreement
    shop_names = [
        agreement.outlet.name,
        agreement.party.name,
        agreement.party.signatory_name,
        *(owner.full_name for owner in agreement.outlet.owners.all()),
    ]
    if words(action.responsible) & set().union(*(words(n) for n in shop_names)):
        return "shop"
    return "municipality"


def parties_from_names(apps, schema_editor):
    AgreedAction = apps.get_model("followup", "AgreedAction")
    actions = AgreedAction.objects.select_related(
        "meeting__followup__agreement__outlet", "meeting__followup__agreement__party"
    )
    for action in actions:
        party = party_of(action)
        if party != action.party:
            AgreedAction.objects.filter(pk=action.pk).update(party=party)


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0006_agreed_action_party_and_done"),
        ("accounts", "0005_invitations"),
        ("agreements", "0019_payout_withheld_released_or_cancelled"),
    ]

    operations = [
        migrations.RunPython(parties_from_names, migrations.RunPython.noop),
    ]
