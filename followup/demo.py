"""Demo follow-ups, activities and trainings of Nordmaling's service points: the
years past followed up with notes and figures, one left overdue. What the shops
wrote is invented."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from accounts.models import Role
from deliveries.demo import logged_deliveries
from followup.models import (
    Activity,
    AgreedAction,
    ChecklistCriterion,
    FollowUp,
    OwnerReport,
    Training,
)
from followup.services import (
    CheckedCriterion,
    action_add,
    activity_save,
    followup_complete,
    followups_create_for,
    meeting_save,
    report_accept,
    report_save,
    report_submit,
    site_visit_save,
    training_save,
)

# What the shops wrote, year after year (invented).
DEMO_REPORT = {
    "worked_well": "Paketutlämningen har gett många nya kunder, särskilt på lördagar.",
    "problems": "Den publika datorn var trasig i tre veckor under våren.",
    "needs_and_wishes": "Bättre skyltning från vägen och en ny anslagstavla.",
    "suggestions": "Inköpsresa till Umeå före jul tillsammans med byalaget.",
    "planned_activities": "Kaffekväll med byalaget, sommarmarknad och krisövning.",
    "visitors_counting": "estimated",
    "customer_wishes": "Kontantuttag, paketutlämning och inköpsresor.",
}


def seed_followups(agreement, official, owner, *, leave_overdue):
    """The agreement's follow-ups; those past their due date completed with notes
    and figures, except (when asked) the latest, which stays overdue."""
    today = timezone.localdate()
    followups_create_for(agreement=agreement, today=today)
    past_due = list(agreement.followups.filter(due_on__lt=today))
    if leave_overdue and past_due:
        overdue = past_due.pop()
        if owner:
            report_save(followup=overdue, by=owner, data=DEMO_REPORT)
    criteria = ChecklistCriterion.objects.filter(municipality=agreement.municipality)
    for index, followup in enumerate(past_due):
        latest = index == len(past_due) - 1
        _report_accepted(followup, official, owner)
        held_on = followup.period_end - timedelta(days=40)
        action = _meeting_held(followup, official, held_on)
        if not latest:
            # Earlier years' actions were done in their own year.
            _action_done(action, official, held_on + timedelta(days=45))
        elif owner:
            # The shop owner has an action of their own to mark done.
            action_add(
                followup=followup,
                by=official,
                text="Sätt upp en anslagstavla vid kassan för byns föreningar",
                party=AgreedAction.Party.SHOP,
                due_on=max(today, held_on) + timedelta(days=45),
            )
        _site_visited(followup, official, held_on, criteria)
        followup_complete(
            followup=followup,
            by=official,
            assessment="Servicepunkten levererar enligt avtalet.",
        )
        # Done in the year's own time, not on the day the demo is built.
        FollowUp.objects.filter(pk=followup.pk).update(
            completed_at=timezone.make_aware(
                datetime.combine(followup.period_end + timedelta(days=30), time(10))
            )
        )


def _report_accepted(followup, official, owner):
    """The owner's report of the year, with the home deliveries the log holds."""
    agreement = followup.agreement
    figures = {
        **DEMO_REPORT,
        "visitors_per_week": 380 + 20 * followup.agreement_year,
        "computer_sessions": 40 + 5 * followup.agreement_year,
        "parcels_handled": 1200 + 150 * followup.agreement_year,
        "home_deliveries": logged_deliveries(
            agreement.outlet, followup.period_start, followup.period_end
        ),
        "activities_held": 4,
        "meeting_place_uses": 60,
    }
    if owner:
        report_save(followup=followup, by=owner, data=figures)
        report_submit(followup=followup, by=owner)
    else:
        # The owner has no account: the report came on paper and was typed in.
        OwnerReport.objects.create(
            followup=followup,
            status=OwnerReport.Status.SUBMITTED,
            submitted_at=timezone.now(),
            **figures,
        )
    report_accept(followup=followup, by=official)


def _meeting_held(followup, official, held_on):
    """The yearly meeting, its minutes (naming the outlet and its village) and one
    agreed action, which it returns."""
    party = followup.agreement.party
    outlet = followup.agreement.outlet
    village = outlet.locality.name if outlet.locality_id else outlet.name
    meeting_save(
        followup=followup,
        by=official,
        held_on=held_on,
        participants=f"{official.full_name} (kommunen), "
        f"{party.signatory_name} ({party.name})",
        minutes=f"Gick igenom siffrorna för {outlet.name} avtalsår "
        f"{followup.agreement_year} och avtalets tjänster. Butiken vill ha bättre "
        f"skyltning från vägen in till {village}; kommunen ser över "
        "informationsstället.",
    )
    return action_add(
        followup=followup,
        by=official,
        text="Ny skylt vid vägen",
        responsible="Kommunen",
        due_on=held_on + timedelta(days=60),
    )


def _action_done(action, official, done_on):
    """The action marked done by the official on the given day, as if then."""
    AgreedAction.objects.filter(pk=action.pk).update(
        status=AgreedAction.Status.DONE,
        done_at=timezone.make_aware(datetime.combine(done_on, time(9))),
        done_by=official,
        done_comment="Skylten är uppsatt.",
    )


def _site_visited(followup, official, held_on, criteria):
    """The site visit: every criterion met but the first (a faded sign)."""
    site_visit_save(
        followup=followup,
        by=official,
        visited_on=held_on,
        visitors=official.full_name,
        assessment="Välskött butik; informationsstället behöver fyllas på.",
        results=[
            CheckedCriterion(criterion, "ok")
            if index
            else CheckedCriterion(criterion, "not_ok", "Skylten är blekt.")
            for index, criterion in enumerate(criteria)
        ],
    )


def seed_activities_and_trainings(nordmaling, outlets, users):
    """Two activities at Pers Livs and two trainings of the service points' staff."""
    today = timezone.localdate()
    if not Activity.objects.filter(outlet=outlets["Pers Livs"]).exists():
        for days_ago, title, participants in [
            (60, "Fika och hjälp med BankID", 12),
            (20, "Byamöte om vinterväghållningen", 25),
        ]:
            activity_save(
                activity=Activity(
                    outlet=outlets["Pers Livs"],
                    held_on=today - timedelta(days=days_ago),
                    title=title,
                    participants=participants,
                ),
                by=users[Role.SHOP_OWNER],
            )
    if not Training.objects.filter(municipality=nordmaling).exists():
        in_force = [outlets["Pers Livs"], outlets["ICA Lundins"]]
        for days_ago, topic, organiser, count in [
            (150, Training.Topic.CRISIS, "Nordmalings kommun, krisberedskap", 4),
            (40, Training.Topic.FORMS, "Försäkringskassan och Skatteverket", 3),
        ]:
            training_save(
                training=Training(
                    held_on=today - timedelta(days=days_ago),
                    topic=topic,
                    organiser=organiser,
                    participant_count=count,
                ),
                outlets=in_force,
                by=users[Role.OFFICIAL],
            )
