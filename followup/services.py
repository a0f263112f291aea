"""The yearly follow-up: created per agreement year, reported by the shop owner,
reviewed, visited and completed by the municipality."""

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agreements.models import Agreement
from agreements.payouts import agreement_years
from agreements.services import payout_condition_set
from followup.models import (
    AgreedAction,
    ChecklistCriterion,
    ChecklistResult,
    DialogueMeeting,
    FollowUp,
    FollowUpSettings,
    OwnerReport,
    SitePhoto,
    SiteVisit,
)
from followup.permissions import (
    can_edit_followup_settings,
    can_manage_followup,
    can_report,
)
from followup.photos import photo_prepare
from outlets.models import Outlet

# Criteria a new municipality's site-visit checklist starts from; each municipality
# keeps its own copy. Swedish: they are the municipality's data, not the interface.
DEFAULT_CHECKLIST = [
    "Skylt utanför",
    "Informationsställ uppdaterat",
    "Publik dator fungerar och är placerad för anonym användning",
    "Mötesplats/sittgrupp",
    "Anslagstavla",
    "Förslagslåda",
    "Rent och snyggt",
    "Tjänsterna levereras enligt avtal",
    "Krisberedskap kontrollerad",
]

REPORT_FIELDS = OwnerReport.ANSWERS


@transaction.atomic
def checklist_seed(*, municipality) -> list[ChecklistCriterion]:
    """Give the municipality the default checklist unless it has one."""
    if not ChecklistCriterion.objects.filter(municipality=municipality).exists():
        ChecklistCriterion.objects.bulk_create(
            ChecklistCriterion(municipality=municipality, text=text, position=index)
            for index, text in enumerate(DEFAULT_CHECKLIST, start=1)
        )
    return list(
        ChecklistCriterion.objects.filter(municipality=municipality, is_active=True)
    )


@transaction.atomic
def followups_create_for(
    *, agreement: Agreement, today: date | None = None
) -> list[FollowUp]:
    """One follow-up for each agreement year begun by today (at least the first);
    running it again creates nothing. Returns the follow-ups created."""
    if agreement.state != Agreement.State.SIGNED:
        return []
    today = today or timezone.localdate()
    until = max(today, agreement.starts_on)
    if agreement.ends_on:
        until = min(until, agreement.ends_on)
    due_days = FollowUpSettings.for_municipality(agreement.municipality).report_due_days
    existing = set(agreement.followups.values_list("agreement_year", flat=True))
    new = []
    for number, first_day, last_day in agreement_years(agreement.starts_on, until):
        if number in existing:
            continue
        if agreement.ends_on:
            last_day = min(last_day, agreement.ends_on)
        new.append(
            FollowUp(
                agreement=agreement,
                agreement_year=number,
                period_start=first_day,
                period_end=last_day,
                due_on=last_day + timedelta(days=due_days),
            )
        )
    if new:
        checklist_seed(municipality=agreement.municipality)
    # A concurrent run may have created some meanwhile; the unique constraint and
    # ignore_conflicts keep it to one per agreement year.
    FollowUp.objects.bulk_create(new, ignore_conflicts=True)
    return new


def followups_create_due(*, today: date | None = None) -> int:
    """The follow-ups of every agreement in force; idempotent. Returns how many
    were created."""
    today = today or timezone.localdate()
    created = 0
    for agreement in Agreement.objects.in_force(today).select_related("municipality"):
        created += len(followups_create_for(agreement=agreement, today=today))
    return created


def _check_reporter(by, followup):
    if not can_report(by, followup):
        raise PermissionDenied


def _check_manager(by, followup):
    if not can_manage_followup(by, followup):
        raise PermissionDenied


def _open_followup(followup):
    """The follow-up as stored, locked for the transaction; refused once complete."""
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if followup.is_complete:
        raise ValidationError(
            _("The follow-up is completed and no longer changes."), code="complete"
        )
    return followup


@transaction.atomic
def report_save(*, followup: FollowUp, by, data: dict) -> OwnerReport:
    """Save the owner's report as it stands; nothing is required in a draft."""
    _check_reporter(by, followup)
    report, _created = OwnerReport.objects.select_for_update().get_or_create(
        followup=followup
    )
    if report.is_locked:
        raise ValidationError(
            _(
                "The report is submitted and locked until the municipality sends "
                "it back."
            ),
            code="locked",
        )
    for name in REPORT_FIELDS:
        if name in data:
            setattr(report, name, data[name])
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_submit(*, followup: FollowUp, by) -> OwnerReport:
    """Send the saved report to the municipality; it is locked from then on."""
    _check_reporter(by, followup)
    report = OwnerReport.objects.select_for_update().filter(followup=followup).first()
    if report is None:
        report = OwnerReport(followup=followup)
    if report.is_locked:
        raise ValidationError(_("The report is already submitted."), code="locked")
    missing = {}
    if report.visitors_per_week is None:
        missing["visitors_per_week"] = ValidationError(
            _("Give the number of visitors in a normal week; an estimate will do."),
            code="required",
        )
    if not report.visitors_counting:
        missing["visitors_counting"] = ValidationError(
            _("Say whether the visitors were counted or estimated."),
            code="required",
        )
    if missing:
        raise ValidationError(missing)
    report.status = OwnerReport.Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.full_clean()
    report.save()
    return report


def _submitted_report(followup):
    report = OwnerReport.objects.select_for_update().filter(followup=followup).first()
    if report is None or report.status != OwnerReport.Status.SUBMITTED:
        raise ValidationError(
            _("Only a submitted report can be reviewed."), code="not_submitted"
        )
    return report


@transaction.atomic
def report_return(*, followup: FollowUp, by, comment: str) -> OwnerReport:
    """Send the report back to the owner with a comment; it opens for changes."""
    _check_manager(by, followup)
    followup = _open_followup(followup)
    report = _submitted_report(followup)
    if not comment.strip():
        raise ValidationError(
            {"comment": _("Write what the owner should change.")}, code="no_comment"
        )
    report.status = OwnerReport.Status.RETURNED
    report.return_comment = comment.strip()
    report.reviewed_at, report.reviewed_by = timezone.now(), by
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_accept(*, followup: FollowUp, by) -> OwnerReport:
    """Accept the report: payouts waiting for the year's report may then go ahead."""
    _check_manager(by, followup)
    followup = _open_followup(followup)
    report = _submitted_report(followup)
    report.status = OwnerReport.Status.ACCEPTED
    report.reviewed_at, report.reviewed_by = timezone.now(), by
    report.full_clean()
    report.save()
    payout_condition_set(
        agreement=followup.agreement,
        agreement_year=followup.agreement_year,
        report_received=True,
    )
    return report


def _check_held_in_the_year(followup, day, *, field):
    """A dialogue or visit is held in the agreement year or after it, never later
    than today."""
    if day > timezone.localdate():
        raise ValidationError(
            {field: ValidationError(_("The date cannot be in the future."), "future")}
        )
    if day < followup.period_start:
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "The date cannot be before the agreement year began "
                        "(%(start)s)."
                    ),
                    code="before_year",
                    params={
                        "start": date_format(followup.period_start, "SHORT_DATE_FORMAT")
                    },
                )
            }
        )


@transaction.atomic
def meeting_save(
    *, followup: FollowUp, by, held_on: date, participants: str, minutes: str = ""
) -> DialogueMeeting:
    """Record the annual dialogue (Swedish: *årlig dialog*)."""
    _check_manager(by, followup)
    followup = _open_followup(followup)
    _check_held_in_the_year(followup, held_on, field="held_on")
    meeting = DialogueMeeting.objects.filter(followup=followup).first()
    meeting = meeting or DialogueMeeting(followup=followup)
    meeting.held_on, meeting.participants, meeting.minutes = (
        held_on,
        participants,
        minutes,
    )
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def action_add(
    *,
    followup: FollowUp,
    by,
    text: str,
    party: str = AgreedAction.Party.MUNICIPALITY,
    responsible: str = "",
    due_on: date | None = None,
) -> AgreedAction:
    """An action agreed in the dialogue: the shop's or the municipality's (with the
    name of who does it, if given) and by when."""
    _check_manager(by, followup)
    followup = _open_followup(followup)
    meeting = DialogueMeeting.objects.filter(followup=followup).first()
    if meeting is None:
        raise ValidationError(
            _("Record the dialogue meeting before its actions."), code="no_meeting"
        )
    # The meeting is held in the agreement year or later, so this also keeps the
    # due date within the year it follows up.
    earliest = max(meeting.held_on, followup.period_start)
    if due_on is not None and due_on < earliest:
        raise ValidationError(
            {
                "due_on": ValidationError(
                    _(
                        "An agreed action cannot be due before the dialogue meeting "
                        "(%(earliest)s)."
                    ),
                    code="before_meeting",
                    params={"earliest": date_format(earliest, "SHORT_DATE_FORMAT")},
                )
            }
        )
    action = AgreedAction(
        meeting=meeting,
        text=text,
        party=party,
        responsible=responsible,
        due_on=due_on,
        added_by=by,
    )
    action.full_clean()
    action.save()
    return action


def _locked_action(action):
    return AgreedAction.objects.select_for_update().get(pk=action.pk)


@transaction.atomic
def action_mark_done(*, action: AgreedAction, by, comment: str = "") -> AgreedAction:
    """Mark an agreed action done, saying who did and when, with a comment: the
    shop owner their shop's actions, the municipality's staff any (also after the
    follow-up is complete)."""
    if not AgreedAction.objects.markable_done_by(by).filter(pk=action.pk).exists():
        raise PermissionDenied
    action = _locked_action(action)
    if action.status == AgreedAction.Status.DONE:
        raise ValidationError(
            _("The action is already marked done."), code="already_done"
        )
    action.status = AgreedAction.Status.DONE
    action.done_at, action.done_by = timezone.now(), by
    action.done_comment = comment.strip()
    action.full_clean()
    action.save(update_fields=["status", "done_at", "done_by", "done_comment"])
    return action


@transaction.atomic
def action_reopen(*, action: AgreedAction, by) -> AgreedAction:
    """Open a done action again (the municipality's staff): who marked it done, and
    their comment, stay in its history."""
    _check_manager(by, action.meeting.followup)
    action = _locked_action(action)
    action.status = AgreedAction.Status.OPEN
    action.done_at = action.done_by = None
    action.done_comment = ""
    action.full_clean()
    action.save(update_fields=["status", "done_at", "done_by", "done_comment"])
    return action


@dataclass(frozen=True)
class CheckedCriterion:
    criterion: ChecklistCriterion
    result: str
    remark: str = ""


@transaction.atomic
def site_visit_save(
    *,
    followup: FollowUp,
    by,
    visited_on: date,
    visitors: str,
    assessment: str = "",
    results: list[CheckedCriterion],
) -> SiteVisit:
    """Record the site visit (Swedish: *platsbesök*) with its checklist."""
    _check_manager(by, followup)
    followup = _open_followup(followup)
    _check_held_in_the_year(followup, visited_on, field="visited_on")
    if any(
        line.criterion.municipality_id != followup.agreement.municipality_id
        for line in results
    ):
        raise PermissionDenied
    errors = {
        f"remark_{line.criterion.pk}": ValidationError(
            _("Write what is not OK."), code="remark_required"
        )
        for line in results
        if line.result == ChecklistResult.Result.NOT_OK and not line.remark.strip()
    }
    if errors:
        raise ValidationError(errors)
    visit = SiteVisit.objects.filter(followup=followup).first()
    visit = visit or SiteVisit(followup=followup)
    visit.visited_on, visit.visitors, visit.assessment = (
        visited_on,
        visitors,
        assessment,
    )
    visit.full_clean()
    visit.save()
    for line in results:
        ChecklistResult.objects.update_or_create(
            site_visit=visit,
            criterion=line.criterion,
            defaults={"result": line.result, "remark": line.remark.strip()},
        )
    return visit


@transaction.atomic
def site_photo_add(*, followup: FollowUp, by, image, caption: str) -> SitePhoto:
    """Attach a photo to the recorded site visit: stored re-encoded, without the
    file's metadata, with a thumbnail."""
    _check_manager(by, followup)
    followup = _open_followup(followup)
    visit = SiteVisit.objects.filter(followup=followup).first()
    if visit is None:
        raise ValidationError(
            _("Record the site visit before its photos."), code="no_site_visit"
        )
    if not caption.strip():
        raise ValidationError(
            {"caption": _("Say what the photo shows.")}, code="no_caption"
        )
    prepared = photo_prepare(image)
    name = uuid.uuid4().hex
    photo = SitePhoto(
        site_visit=visit,
        caption=caption.strip(),
        added_by=by,
        thumbnail_width=prepared.thumbnail_size[0],
        thumbnail_height=prepared.thumbnail_size[1],
    )
    photo.image.save(
        f"{name}.{prepared.extension}", ContentFile(prepared.image), save=False
    )
    photo.thumbnail.save(
        f"{name}-thumb.jpg", ContentFile(prepared.thumbnail), save=False
    )
    try:
        photo.full_clean()
        photo.save()
    except Exception:
        # No row, no files.
        photo.image.delete(save=False)
        photo.thumbnail.delete(save=False)
        raise
    return photo


def payout_conditions_sync(*, agreement: Agreement) -> None:
    """Mark the agreement's payouts waiting for a year whose follow-up is completed,
    or whose report is accepted, as free of that condition."""
    for year, completed_at, report_status in agreement.followups.values_list(
        "agreement_year", "completed_at", "report__status"
    ):
        payout_condition_set(
            agreement=agreement,
            agreement_year=year,
            followup_complete=True if completed_at else None,
            report_received=(
                True if report_status == OwnerReport.Status.ACCEPTED else None
            ),
        )


@transaction.atomic
def followup_complete(*, followup: FollowUp, by, assessment: str) -> FollowUp:
    """Complete the year's follow-up: the accepted report, the site visit and the
    assessment are in place; payouts waiting for it may then be approved."""
    _check_manager(by, followup)
    followup = _open_followup(followup)
    report = OwnerReport.objects.filter(followup=followup).first()
    if report is None or report.status != OwnerReport.Status.ACCEPTED:
        raise ValidationError(
            _("Accept the owner's yearly report first."), code="report_not_accepted"
        )
    if not SiteVisit.objects.filter(followup=followup).exists():
        raise ValidationError(_("Record the site visit first."), code="no_site_visit")
    if not assessment.strip():
        raise ValidationError(
            {"assessment": _("Write the assessment of the year.")},
            code="no_assessment",
        )
    followup.assessment = assessment.strip()
    followup.completed_at, followup.completed_by = timezone.now(), by
    followup.full_clean()
    followup.save(update_fields=["assessment", "completed_at", "completed_by"])
    payout_condition_set(
        agreement=followup.agreement,
        agreement_year=followup.agreement_year,
        followup_complete=True,
    )
    return followup


@transaction.atomic
def activity_save(*, activity, by):
    """Log or correct an activity held at a service point: the outlet's owner, or
    an official or administrator of its municipality."""
    if not Outlet.objects.recordable_by(by).filter(pk=activity.outlet_id).exists():
        raise PermissionDenied
    if (
        activity.pk
        and not type(activity).objects.editable_by(by).filter(pk=activity.pk).exists()
    ):
        raise PermissionDenied
    activity.full_clean()
    activity.save()
    return activity


@transaction.atomic
def training_save(*, training, outlets, by):
    """Record a training of service-point staff (officials, administrators)."""
    if training.municipality_id is None:
        training.municipality_id = by.municipality_id
    if not by.manages(training.municipality_id) or any(
        not by.manages(outlet.municipality_id) for outlet in outlets
    ):
        raise PermissionDenied
    training.full_clean()
    training.save()
    training.outlets.set(outlets)
    return training


def _check_settings_editor(by, municipality_id):
    if not can_edit_followup_settings(by, municipality_id):
        raise PermissionDenied


@transaction.atomic
def followup_settings_save(
    *, followup_settings: FollowUpSettings, by
) -> FollowUpSettings:
    """The municipality's follow-up settings (administrators). Follow-ups already
    created keep their due dates."""
    _check_settings_editor(by, followup_settings.municipality_id)
    followup_settings.full_clean()
    followup_settings.save()
    return followup_settings


def _criterion_text(text: str) -> str:
    """The text as people mean it: no stray spaces, inside or around."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the criterion.")}, code="required")
    return text


def _check_unique_text(*, municipality_id, text, criterion=None):
    same = ChecklistCriterion.objects.filter(
        municipality_id=municipality_id, text__iexact=text
    )
    if criterion is not None:
        same = same.exclude(pk=criterion.pk)
    found = same.first()
    if found is None:
        return
    if found.is_active:
        message = _("The checklist already has this criterion.")
    else:
        message = _(
            "A criterion with this text is out of use: bring it back into use instead."
        )
    raise ValidationError({"text": message}, code="duplicate")


def _locked_checklist(municipality_id) -> list[ChecklistCriterion]:
    """The municipality's criteria in order, locked while their order changes."""
    return list(
        ChecklistCriterion.objects.select_for_update()
        .filter(municipality_id=municipality_id)
        .order_by("position", "pk")
    )


@transaction.atomic
def checklist_criterion_add(*, municipality, by, text: str) -> ChecklistCriterion:
    """Add a criterion at the end of the municipality's site-visit checklist."""
    _check_settings_editor(by, municipality.pk)
    text = _criterion_text(text)
    checklist = _locked_checklist(municipality.pk)
    _check_unique_text(municipality_id=municipality.pk, text=text)
    criterion = ChecklistCriterion(
        municipality=municipality,
        text=text,
        position=max((c.position for c in checklist), default=0) + 1,
    )
    criterion.full_clean()
    criterion.save()
    return criterion


@transaction.atomic
def checklist_criterion_update(
    *, criterion: ChecklistCriterion, by, text: str
) -> ChecklistCriterion:
    """Reword a criterion; site visits that checked it show the new wording."""
    _check_settings_editor(by, criterion.municipality_id)
    text = _criterion_text(text)
    _check_unique_text(
        municipality_id=criterion.municipality_id, text=text, criterion=criterion
    )
    criterion.text = text
    criterion.full_clean()
    criterion.save(update_fields=["text"])
    return criterion


MOVES = {"up": -1, "down": 1}


@transaction.atomic
def checklist_criterion_move(
    *, criterion: ChecklistCriterion, by, direction: str
) -> ChecklistCriterion:
    """Swap a criterion in use with the one in use above or below it."""
    _check_settings_editor(by, criterion.municipality_id)
    if direction not in MOVES:
        raise ValidationError(_("Choose to move up or down."), code="direction")
    checklist = _locked_checklist(criterion.municipality_id)
    in_use = [c for c in checklist if c.is_active]
    index = next((i for i, c in enumerate(in_use) if c.pk == criterion.pk), None)
    if index is None:
        raise ValidationError(
            _("Only a criterion in use has a place in the checklist."),
            code="inactive",
        )
    other = index + MOVES[direction]
    if not 0 <= other < len(in_use):
        raise ValidationError(
            _("The criterion is already first.")
            if direction == "up"
            else _("The criterion is already last."),
            code="at_end",
        )
    first, second = checklist.index(in_use[index]), checklist.index(in_use[other])
    checklist[first], checklist[second] = checklist[second], checklist[first]
    # Renumbered from 1, criteria out of use keep their places among the others,
    # so the results of past visits keep their order too.
    for number, item in enumerate(checklist, start=1):
        item.position = number
    ChecklistCriterion.objects.bulk_update(checklist, ["position"])
    return next(c for c in checklist if c.pk == criterion.pk)


@transaction.atomic
def checklist_criterion_set_active(
    *, criterion: ChecklistCriterion, by, active: bool
) -> ChecklistCriterion:
    """Take a criterion out of use, or back into use. Results recorded for it stay,
    with its text, on the site visits that checked it."""
    _check_settings_editor(by, criterion.municipality_id)
    criterion = ChecklistCriterion.objects.select_for_update().get(pk=criterion.pk)
    if criterion.is_active == active:
        raise ValidationError(
            _("The criterion is already in use.")
            if active
            else _("The criterion is already out of use."),
            code="unchanged",
        )
    criterion.is_active = active
    criterion.full_clean()
    criterion.save(update_fields=["is_active"])
    return criterion
