from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Sum
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import ListView

from accounts.models import User
from agreements.forms import (
    AgreementForm,
    AmendmentForm,
    BudgetForm,
    CancelPayoutForm,
    ChangeOfOwnerForm,
    DelegationForm,
    DraftDeleteForm,
    NoticeForm,
    PaperSignForm,
    PartyForm,
    PayoutFilterForm,
    ProgrammeSettingsForm,
    RenewalForm,
    ServiceForm,
    ServicesForm,
    SignForm,
    WithdrawForm,
    WithholdForm,
)
from agreements.models import (
    Agreement,
    AgreementVersion,
    Delegation,
    Party,
    Payout,
    PayoutRecovery,
    ProgrammeBudget,
    ProgrammeSettings,
    Service,
    Signature,
    SignedDocumentJob,
)
from agreements.permissions import (
    can_edit_agreement,
    can_edit_catalogue,
    can_manage_agreements,
    can_sign_for_party,
)
from agreements.selectors import (
    agreement_history,
    budget_summary,
    changes_under_work_in,
    changes_under_work_of,
    missed_deadline,
)
from agreements.services import (
    FINANCE_COLUMNS,
    agreement_amend,
    agreement_approve_compensation,
    agreement_change_owner,
    agreement_create,
    agreement_draft_delete,
    agreement_give_notice,
    agreement_mark_ready,
    agreement_renew,
    agreement_sign,
    agreement_update_draft,
    agreement_withdraw,
    budget_set,
    compensation_approval_reasons,
    delegation_set,
    party_confirm_bank_details,
    party_save,
    payout_approve,
    payout_attestation_refusal,
    payout_cancel,
    payout_mark_paid,
    payout_release,
    payout_withhold,
    payouts_approve,
    payouts_finance_rows,
    payouts_finance_sums,
    programme_settings_save,
    service_save,
    signed_document_retry,
)
from agreements.services.withdrawal import WITHDRAWABLE
from core.exporting import CONTENT_TYPES, csv_bytes
from core.forms import form_add_service_errors, show_errors
from core.history import history_of
from core.views import RolePermissionMixin, form_action, page_with_errors
from outlets.models import Outlet
from securitylog.models import EventKind
from securitylog.services import security_event_record


class AgreementListView(ListView):
    template_name = "agreements/agreement_list.html"
    paginate_by = 50

    def get_queryset(self):
        return (
            Agreement.objects.visible_to(self.request.user)
            .select_related("outlet", "party", "municipality")
            .prefetch_related("versions", "renewals__versions")
            .order_by("-created_at")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = can_manage_agreements(self.request.user)
        context["today"] = today = timezone.localdate()
        # The compensation in force; an amendment or a renewal under work beside
        # it, never in its place. An agreement never signed shows its own terms.
        for agreement in context["object_list"]:
            version = agreement.version_in_force(today) or max(
                agreement.versions.all(), key=lambda v: v.number, default=None
            )
            agreement.annual_compensation = version and version.annual_compensation
            agreement.changes_under_work = changes_under_work_of(agreement)
        return context


def visible_agreement(request, pk, *related, prefetch=()):
    return get_object_or_404(
        Agreement.objects.visible_to(request.user)
        .select_related("outlet", "party", "municipality", *related)
        .prefetch_related(*prefetch),
        pk=pk,
    )


def editable_agreement(request, pk):
    return get_object_or_404(
        Agreement.objects.editable_by(request.user).select_related(
            "outlet", "party", "municipality"
        ),
        pk=pk,
    )


@require_safe
def agreement_detail(request, pk, **forms):
    # Versions and renewals read once: the page asks for them in several places.
    agreement = visible_agreement(
        request,
        pk,
        prefetch=(
            Prefetch(
                "versions",
                queryset=AgreementVersion.objects.select_related(
                    "document_job"
                ).prefetch_related("services__service", "signatures"),
            ),
            "renewals__versions",
        ),
    )
    user = request.user
    versions = list(agreement.versions.all())
    for version in versions:
        version.pending_document_job = _document_job(version)
    latest = versions[-1]
    term = versions[0].term
    today = timezone.localdate()
    withdrawn = agreement.state == Agreement.State.WITHDRAWN
    # A withdrawn amendment stays on the page as a record: nothing is signed,
    # drafted or approved in it, and the agreement can be amended again.
    closed = withdrawn or latest.withdrawn_at is not None
    amendment = (
        latest
        if agreement.state == Agreement.State.SIGNED
        and latest.number > 1
        and not latest.signed_at
        and not latest.withdrawn_at
        else None
    )
    # A withdrawn agreement never runs: it has no period and no notice to give.
    period = None if withdrawn else term.period_on(max(today, term.starts_on))
    manages = can_edit_agreement(user, agreement)
    signed_sides = {signature.side for signature in latest.signatures.all()}
    unsigned_sides = [
        side for side in Signature.Side.values if side not in signed_sides
    ]
    status = agreement.status_on(today)
    renewal = agreement.replaced_by
    # A closed shop's agreement is not renewed: it has no shop to serve.
    can_renew = (
        manages
        and agreement.state == Agreement.State.SIGNED
        and not renewal
        and agreement.outlet.status != Outlet.Status.CLOSED
    )
    can_change_owner = can_renew and status in ("in_force", "notice_given")
    context = {
        "agreement": agreement,
        "versions": versions,
        "latest": latest,
        # The compensation that counts is the one in force; an amendment or a
        # renewal under work stands beside it.
        "in_force": agreement.version_in_force(today) or latest,
        "changes_under_work": changes_under_work_of(agreement),
        "status": status,
        "renewal": renewal,
        "can_renew": can_renew,
        "can_change_owner": can_change_owner,
        "renew_form": can_renew
        and (forms.get("renew_form") or RenewalForm(agreement=agreement)),
        "owner_form": can_change_owner
        and (forms.get("owner_form") or ChangeOfOwnerForm(agreement=agreement)),
        "term": term,
        "period": period,
        "notice_deadline": period and term.notice_deadline(period),
        # The municipality's own business: not for the shop owner's eyes.
        "missed_deadline": not user.is_shop_owner
        and missed_deadline(
            agreement, term=term, renewed=renewal is not None, today=today
        ),
        "decision_date": period and term.decision_date(period),
        # A signed document still being made: the page follows its job.
        "document_pending": any(
            version.pending_document_job and version.pending_document_job.is_unfinished
            for version in versions
        ),
        "payouts": agreement.payouts.select_related("status_changed_by"),
        "recoveries": PayoutRecovery.objects.filter(payout__agreement=agreement),
        "manages": manages,
        "can_sign_municipality": manages
        and not closed
        and latest.is_frozen
        and Signature.Side.MUNICIPALITY not in signed_sides,
        "can_sign_party": can_sign_for_party(user, agreement)
        and not closed
        and latest.is_frozen
        and Signature.Side.PARTY not in signed_sides,
        "sign_form": forms.get("sign_form") or SignForm(),
        "paper_form": forms.get("paper_form") or PaperSignForm(sides=unsigned_sides),
        # Either side may sign on paper until both have, whoever signed first.
        "can_record_paper": manages
        and not closed
        and latest.is_frozen
        and bool(unsigned_sides),
        "notice_form": forms.get("notice_form") or NoticeForm(agreement=agreement),
        "withhold_form": WithholdForm(),
        "can_withdraw": manages and agreement.state in WITHDRAWABLE,
        # Of a signed agreement, its amendment under work: withdrawn once ready
        # for signature and signed by neither side, deleted while a draft.
        "amendment": amendment,
        "can_withdraw_amendment": manages
        and amendment is not None
        and amendment.is_frozen
        and not signed_sides,
        "can_delete_amendment": manages
        and amendment is not None
        and not amendment.is_frozen,
        "withdraw_form": forms.get("withdraw_form")
        or WithdrawForm(agreement=agreement),
        "can_delete_draft": manages and agreement.state == Agreement.State.DRAFT,
        "delete_form": forms.get("delete_form") or DraftDeleteForm(agreement=agreement),
        "amend_form": forms.get("amend_form") or AmendmentForm(agreement=agreement),
        "can_amend": manages
        and agreement.state == Agreement.State.SIGNED
        and (latest.signed_at is not None or latest.withdrawn_at is not None)
        and agreement.status_on(today) != "ended",
        "draft_version": manages and not closed and not latest.is_frozen,
        "approval_reasons": manages
        and not closed
        and not latest.is_frozen
        and not latest.compensation_approved
        and compensation_approval_reasons(
            version=latest,
            # An administrator sees what the drafter's delegation allows.
            by=agreement.created_by
            if user.is_administrator and agreement.created_by
            else user,
        ),
        "can_approve_compensation": manages
        and not closed
        and user.is_administrator
        and not latest.is_frozen
        and not latest.compensation_approved,
        "payout_refusal": manages
        and payout_attestation_refusal(agreement=agreement, by=user),
        "history": agreement_history(agreement=agreement, versions=versions),
    }
    return render(request, "agreements/agreement_detail.html", context)


def _agreement_form_view(request, agreement=None):
    user = request.user
    if not can_manage_agreements(user):
        raise Http404
    municipality = user.municipality
    catalogue = Service.objects.filter(municipality=municipality, is_active=True)
    version = agreement.versions.order_by("-number").first() if agreement else None
    if version and version.is_frozen:
        messages.error(request, _("The version is frozen and cannot be changed."))
        return redirect(agreement)
    form_kwargs = {"municipality": municipality, "with_parties": agreement is None}
    chosen = list(version.services.all()) if version else []
    if request.method == "POST" and agreement is None and "add_party" in request.POST:
        return _draft_keep_for_party(request)
    if request.method == "POST":
        form = AgreementForm(request.POST, instance=version, **form_kwargs)
        services = ServicesForm(request.POST, catalogue=catalogue, chosen=chosen)
        if form.is_valid() and services.is_valid():
            try:
                if agreement is None:
                    agreement = agreement_create(
                        by=user,
                        outlet=form.cleaned_data["outlet"],
                        party=form.cleaned_data["party"],
                        version_fields=form.version_fields(),
                        services=services.lines(),
                    )
                    messages.success(request, _("The draft agreement is saved."))
                else:
                    agreement_update_draft(
                        agreement=agreement,
                        by=user,
                        version_fields=form.version_fields(),
                        services=services.lines(),
                    )
                    messages.success(request, _("The draft is saved."))
                return redirect(agreement)
            except ValidationError as error:
                form_add_service_errors(form, error)
    elif (
        agreement is None
        and request.GET.get("draft")
        and DRAFT_SESSION_KEY in request.session
    ):
        typed = _draft_kept(request)
        form = AgreementForm(
            initial=_typed(AgreementForm(typed, **form_kwargs)), **form_kwargs
        )
        services = ServicesForm(
            initial=_typed(ServicesForm(typed, catalogue=catalogue)),
            catalogue=catalogue,
        )
    else:
        form = AgreementForm(instance=version, **form_kwargs)
        services = ServicesForm(catalogue=catalogue, chosen=chosen)
    return render(
        request,
        "agreements/agreement_form.html",
        {"form": form, "services": services, "agreement": agreement},
    )


# The new agreement being typed while its contracting party is added.
DRAFT_SESSION_KEY = "agreements:draft_for_party"


def _draft_keep_for_party(request):
    """Keep what is typed in the new agreement's form, unvalidated, and go and add
    its contracting party; saving the party comes back to the form with it."""
    request.session[DRAFT_SESSION_KEY] = {
        key: request.POST.getlist(key)
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", "add_party")
    }
    return redirect(f"{reverse('agreements:party_create')}?for=agreement")


def _draft_kept(request):
    """The kept draft as form data, with the party just added chosen; given back
    once."""
    typed = QueryDict(mutable=True)
    for key, values in request.session.pop(DRAFT_SESSION_KEY, {}).items():
        typed.setlist(key, values)
    if request.GET.get("party"):
        typed["party"] = request.GET["party"]
    return typed


def _typed(bound_form):
    """A bound form's values as typed, to show again as initial values without
    validating them: the draft is not finished."""
    return {name: bound_form[name].data for name in bound_form.fields}


def agreement_create_view(request):
    return _agreement_form_view(request)


def agreement_update_view(request, pk):
    return _agreement_form_view(request, editable_agreement(request, pk))


@require_POST
def agreement_mark_ready_view(request, pk):
    agreement = editable_agreement(request, pk)
    try:
        agreement_mark_ready(agreement=agreement, by=request.user)
        # Of a signed agreement, what was made ready is its amendment; a renewal
        # is an agreement of its own.
        if agreement.state == Agreement.State.SIGNED:
            messages.success(request, _("The amendment is ready for signature."))
        else:
            messages.success(request, _("The agreement is ready for signature."))
    except ValidationError as error:
        show_errors(request, error)
    return redirect(agreement)


@require_POST
def agreement_approve_compensation_view(request, pk):
    """An administrator approves a draft's compensation outside the recommended
    range or above the drafter's delegation; to anyone else there is nothing here."""
    if not request.user.is_administrator:
        raise Http404
    agreement = editable_agreement(request, pk)
    try:
        agreement_approve_compensation(agreement=agreement, by=request.user)
        messages.success(request, _("The compensation is approved."))
    except ValidationError as error:
        show_errors(request, error)
    return redirect(agreement)


@require_POST
def agreement_sign_view(request, pk, side):
    """A signature in the app: the municipality's side by those who edit the
    agreement, the service point's by the outlet's owner; to anyone else the
    agreement is not found."""
    if side not in Signature.Side.values:
        raise Http404
    agreement = get_object_or_404(
        Agreement.objects.signable_by(request.user, side).select_related(
            "outlet", "party", "municipality"
        ),
        pk=pk,
    )
    return form_action(
        request,
        form=SignForm(request.POST),
        action=lambda form: agreement_sign(
            agreement=agreement,
            by=request.user,
            side=side,
            title=form.cleaned_data["title"],
            password=form.cleaned_data["password"],
        ),
        done=_("Your signature is recorded."),
        reshow=lambda form: agreement_detail_with(request, agreement, sign_form=form),
        then=agreement,
    )


@require_POST
def agreement_sign_paper_view(request, pk):
    agreement = editable_agreement(request, pk)
    return form_action(
        request,
        form=PaperSignForm(request.POST, request.FILES),
        action=lambda form: agreement_sign(
            agreement=agreement,
            by=request.user,
            side=form.cleaned_data["side"],
            name=form.cleaned_data["name"],
            title=form.cleaned_data["title"],
            paper_scan=form.cleaned_data["paper_scan"],
        ),
        done=_("The paper signature is recorded."),
        reshow=lambda form: agreement_detail_with(request, agreement, paper_form=form),
        then=agreement,
    )


def _agreement_action(request, pk, *, form, action, done, form_key):
    """A POSTed form on the agreement page that runs one service: on success the
    message `done` and a redirect to what `action` returns, else the page again with
    the form's errors."""
    agreement = editable_agreement(request, pk)
    return form_action(
        request,
        form=form(request.POST, agreement=agreement),
        action=lambda bound: action(
            agreement=agreement, by=request.user, **bound.cleaned_data
        ),
        done=done,
        reshow=lambda bound: agreement_detail_with(
            request, agreement, **{form_key: bound}
        ),
    )


@require_POST
def agreement_amend_view(request, pk):
    return _agreement_action(
        request,
        pk,
        form=AmendmentForm,
        action=lambda **kwargs: reverse(
            "agreements:agreement_update",
            kwargs={"pk": agreement_amend(**kwargs).agreement_id},
        ),
        done=_("The amendment is a draft: change the terms, then make it ready."),
        form_key="amend_form",
    )


@require_POST
def agreement_give_notice_view(request, pk):
    return _agreement_action(
        request,
        pk,
        form=NoticeForm,
        action=agreement_give_notice,
        done=_("The notice is recorded."),
        form_key="notice_form",
    )


@require_POST
def agreement_withdraw_view(request, pk):
    """Withdraw the agreement, or of a signed agreement its amendment ready for
    signature."""
    agreement = editable_agreement(request, pk)
    return form_action(
        request,
        form=WithdrawForm(request.POST, agreement=agreement),
        action=lambda bound: agreement_withdraw(
            agreement=agreement, by=request.user, **bound.cleaned_data
        ),
        done=_("The amendment is withdrawn. It stays in the history as a record.")
        if agreement.state == Agreement.State.SIGNED
        else _("The agreement is withdrawn. It stays in the history as a record."),
        then=agreement,
        reshow=lambda bound: agreement_detail_with(
            request, agreement, withdraw_form=bound
        ),
    )


@require_POST
def agreement_draft_delete_view(request, pk):
    """Delete a draft agreement, or of a signed agreement its draft amendment."""
    agreement = editable_agreement(request, pk)
    amendment = agreement.state == Agreement.State.SIGNED
    return form_action(
        request,
        form=DraftDeleteForm(request.POST, agreement=agreement),
        action=lambda bound: agreement_draft_delete(
            agreement=agreement, by=request.user
        ),
        done=_("The draft amendment is deleted.")
        if amendment
        else _("The draft is deleted."),
        # A deleted amendment leaves its agreement; a deleted draft, nothing.
        then=agreement if amendment else reverse("agreements:agreement_list"),
        reshow=lambda bound: agreement_detail_with(
            request, agreement, delete_form=bound
        ),
    )


@require_POST
def agreement_renew_view(request, pk):
    return _agreement_action(
        request,
        pk,
        form=RenewalForm,
        action=agreement_renew,
        done=_(
            "The renewal is a draft: check the terms and the decision, then make it "
            "ready."
        ),
        form_key="renew_form",
    )


@require_POST
def agreement_change_owner_view(request, pk):
    return _agreement_action(
        request,
        pk,
        form=ChangeOfOwnerForm,
        action=agreement_change_owner,
        done=_(
            "The change of owner is recorded. The new owner's agreement is a draft: "
            "check it, then make it ready."
        ),
        form_key="owner_form",
    )


def _document_job(version):
    """The job making a signed version's document, while it has none; None."""
    if not version.signed_at or version.signed_document:
        return None
    try:
        return version.document_job
    except SignedDocumentJob.DoesNotExist:
        return None


def _document_job_text(job):
    if job.status == SignedDocumentJob.Status.FAILED:
        return _("The signed document could not be made.")
    return _("The signed document is being prepared.")


@require_safe
def signed_document_status(request, pk):
    """The state of a signed version's document for the agreement page's script,
    which shows it as text and reloads the page once it is no longer being made."""
    version = get_object_or_404(
        AgreementVersion.objects.visible_to(request.user).select_related(
            "document_job"
        ),
        pk=pk,
    )
    job = _document_job(version)
    return JsonResponse(
        {
            "finished": job is None or not job.is_unfinished,
            "text": _document_job_text(job) if job else "",
        }
    )


@require_POST
def signed_document_retry_view(request, pk):
    """Try a failed signed document again: those who manage the agreement."""
    version = get_object_or_404(
        AgreementVersion.objects.editable_by(request.user).select_related("agreement"),
        pk=pk,
    )
    try:
        signed_document_retry(version=version, by=request.user)
        messages.success(
            request,
            _("The signed document is being prepared again; the page shows it."),
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect(version.agreement)


def agreement_detail_with(request, agreement, **forms):
    """The detail page re-shown with a failed form's errors (status 400)."""
    return page_with_errors(agreement_detail, request, agreement.pk, **forms)


@require_safe
def agreement_document_view(request, pk, kind):
    """A stored document, served only if it matches its recorded SHA-256.

    One that does not is refused with a page saying so (409: the file conflicts
    with its record; not a 5xx, which a proxy may replace with its own page or
    retry), the system owners are told, and the security log keeps who met it.
    """
    from agreements.documents import DocumentIntegrityError, stored_document_open

    version = get_object_or_404(
        AgreementVersion.objects.visible_to(request.user),
        pk=pk,
    )

    document, sha256 = {
        "frozen": (version.document, version.document_sha256),
        "signed": (version.signed_document, version.signed_document_sha256),
    }.get(kind, (None, ""))
    if kind == "signed" and version.signed_at and not document:
        # Signed, its document still being made in the background (or failed):
        # the agreement's page says which.
        messages.info(request, _("The signed document is being prepared."))
        return redirect(version.agreement)
    if not document:
        raise Http404
    try:
        file = stored_document_open(document, sha256=sha256)
    except DocumentIntegrityError:
        security_event_record(
            kind=EventKind.DOCUMENT_ALTERED,
            request=request,
            municipality_id=version.agreement.municipality_id,
            detail=document.name,
        )
        return render(
            request,
            "agreements/document_integrity_error.html",
            {"version": version, "agreement": version.agreement},
            status=409,
        )
    return FileResponse(
        file,
        content_type="application/pdf",
        filename=document.name.rsplit("/", 1)[-1],
    )


@require_safe
def agreement_preview_view(request, pk):
    """The latest draft as a PDF marked UTKAST."""
    from agreements.documents import agreement_render_pdf

    agreement = editable_agreement(request, pk)
    version = agreement.versions.order_by("-number").first()
    if version.is_frozen:
        # A frozen version's own document is there to download.
        raise Http404
    response = HttpResponse(
        agreement_render_pdf(version=version, draft=True),
        content_type="application/pdf",
    )
    name = agreement.reference or f"avtal-{agreement.pk}"
    response["Content-Disposition"] = f'inline; filename="{name}-utkast.pdf"'
    return response


def editable_payout(request, pk):
    return get_object_or_404(
        Payout.objects.editable_by(request.user).select_related("agreement"),
        pk=pk,
    )


@require_POST
def payout_approve_view(request, pk):
    payout = editable_payout(request, pk)
    try:
        payout_approve(payout=payout, by=request.user)
        messages.success(request, _("The payout is approved."))
    except ValidationError as error:
        show_errors(request, error)
    return redirect(payout.agreement)


@require_POST
def payout_mark_paid_view(request, pk):
    payout = editable_payout(request, pk)
    try:
        payout_mark_paid(payout=payout, by=request.user)
        messages.success(request, _("The payout is marked paid."))
    except ValidationError as error:
        show_errors(request, error)
    return redirect(payout.agreement)


@require_POST
def payout_withhold_view(request, pk):
    payout = editable_payout(request, pk)
    form = WithholdForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write why the payout is withheld."))
        payout_withhold(payout=payout, by=request.user, **form.cleaned_data)
        messages.success(request, _("The payout is withheld."))
    except ValidationError as error:
        show_errors(request, error)
    return redirect(_back_to_payouts(request) or payout.agreement)


@require_POST
def payout_release_view(request, pk):
    payout = editable_payout(request, pk)
    try:
        payout_release(payout=payout, by=request.user)
        messages.success(request, _("The payout is released: it is planned again."))
    except ValidationError as error:
        show_errors(request, error)
    return redirect(_back_to_payouts(request) or payout.agreement)


@require_POST
def payout_cancel_view(request, pk):
    payout = editable_payout(request, pk)
    form = CancelPayoutForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Write why the payout is cancelled."))
        payout_cancel(payout=payout, by=request.user, **form.cleaned_data)
        messages.success(request, _("The payout is cancelled."))
    except ValidationError as error:
        show_errors(request, error)
    return redirect(_back_to_payouts(request) or payout.agreement)


PAYOUTS_PER_PAGE = 50
# More ticked at once than a page shows is a forged request.
PAYOUTS_APPROVED_AT_MOST = PAYOUTS_PER_PAGE


def _back_to_payouts(request):
    """The payouts page the form was sent from, with its filters, if it was."""
    back = request.POST.get("next", "")
    payouts = reverse("agreements:payout_list")
    if back.startswith(payouts) and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        return back
    return None


def _payouts_filtered(request):
    """The municipality's payouts and recoveries under the page's filters: status,
    due date (overdue, within 30 days, from, to) and outlet.

    Recoveries have no status nor due date: the outlet and the dates from and to
    (on the day the recovery was recorded) narrow them; they are claimed back as
    soon as recorded, so "overdue" and "within 30 days" leave them all."""
    user = request.user
    payouts = Payout.objects.editable_by(user)
    recoveries = PayoutRecovery.objects.editable_by(user)
    outlets = Outlet.objects.filter(
        pk__in=Agreement.objects.editable_by(user).values("outlet")
    ).order_by("name")
    filters = PayoutFilterForm(request.GET, outlets=outlets)
    today = timezone.localdate()
    status = filters.value("status")
    if status is None:
        payouts = payouts.exclude(
            status__in=[Payout.Status.PAID, Payout.Status.CANCELLED]
        )
    elif status != PayoutFilterForm.ALL:
        payouts = payouts.filter(status=status)
    due = filters.value("due")
    if due == PayoutFilterForm.OVERDUE:
        payouts = payouts.payable().filter(due_on__lt=today)
    elif due == PayoutFilterForm.WITHIN_30_DAYS:
        payouts = payouts.filter(due_on__range=(today, today + timedelta(days=30)))
    if due_from := filters.value("due_from"):
        payouts = payouts.filter(due_on__gte=due_from)
        recoveries = recoveries.filter(created_at__date__gte=due_from)
    if due_to := filters.value("due_to"):
        payouts = payouts.filter(due_on__lte=due_to)
        recoveries = recoveries.filter(created_at__date__lte=due_to)
    if outlet := filters.value("outlet"):
        payouts = payouts.filter(agreement__outlet_id=outlet)
        recoveries = recoveries.filter(payout__agreement__outlet_id=outlet)
    return filters, payouts.order_by("due_on", "pk"), recoveries


@require_safe
def payout_list_view(request):
    """The payouts of every agreement of the municipality, by due date: approve
    several at once, withhold one, and take the finance system's file."""
    if not can_manage_agreements(request.user):
        raise Http404
    filters, payouts, recoveries = _payouts_filtered(request)
    # A cancelled payout is never paid: shown with "Status: Alla", never summed.
    sums = payouts.exclude(status=Payout.Status.CANCELLED).aggregate(
        count=Count("pk"), amount=Sum("amount"), vat=Sum("vat_amount")
    )
    page = Paginator(
        payouts.select_related("agreement__outlet", "agreement__party"),
        PAYOUTS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    refusal = {}
    today = timezone.localdate()
    for payout in page.object_list:
        payout.overdue = payout.status in Payout.PAYABLE and payout.due_on < today
        if payout.agreement_id not in refusal:
            refusal[payout.agreement_id] = payout_attestation_refusal(
                agreement=payout.agreement,
                by=request.user,
                party=payout.agreement.party,
            )
        payout.attestation_refusal = refusal[payout.agreement_id]
    return render(
        request,
        "agreements/payout_list.html",
        {
            "filters": filters,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "payouts": page.object_list,
            "count": sums["count"],
            "cancelled_count": page.paginator.count - sums["count"],
            "sum_amount": sums["amount"] or 0,
            "sum_total": (sums["amount"] or 0) + (sums["vat"] or 0),
            "finance_sums": payouts_finance_sums(
                **_finance_selection(payouts, recoveries)
            ),
            "withhold_form": WithholdForm(),
        },
    )


@require_POST
def payouts_approve_view(request):
    """Approve the ticked payouts: each is approved or refused on its own, and
    each refused one is named with the reason."""
    if not can_manage_agreements(request.user):
        raise Http404
    back = _back_to_payouts(request) or reverse("agreements:payout_list")
    ids = {int(pk) for pk in request.POST.getlist("payout") if pk.isdigit()}
    if not ids:
        messages.error(request, _("Tick the payouts to approve."))
        return redirect(back)
    if len(ids) > PAYOUTS_APPROVED_AT_MOST:
        raise Http404
    payouts = list(
        Payout.objects.editable_by(request.user)
        .filter(pk__in=ids)
        .select_related("agreement__outlet")
    )
    if len(payouts) != len(ids):
        # Another municipality's payout, or none: as if the page did not exist.
        raise Http404
    approved, refused = payouts_approve(payouts=payouts, by=request.user)
    if approved:
        messages.success(
            request,
            ngettext(
                "%(count)d payout is approved.",
                "%(count)d payouts are approved.",
                len(approved),
            )
            % {"count": len(approved)},
        )
    for refusal in refused:
        payout = refusal.payout
        messages.error(
            request,
            _("Not approved: %(outlet)s, %(reference)s, due %(due)s. %(reason)s")
            % {
                "outlet": payout.agreement.outlet.name,
                "reference": payout.agreement.reference_display,
                "due": payout.due_on.isoformat(),
                "reason": refusal.reason,
            },
        )
    return redirect(back)


def _finance_selection(payouts, recoveries):
    """What the finance system's file holds of the filtered payouts: the approved
    ones (planned ones are not yet decided, cancelled ones never paid), and the
    recoveries."""
    return {
        "payouts": payouts.filter(status=Payout.Status.APPROVED),
        "recoveries": recoveries.order_by("created_at", "pk"),
    }


@require_safe
def payout_export_view(request):
    """Approved payouts, and recoveries to claim back, for the finance system: CSV
    for Swedish Excel. The payouts page's filters narrow it (its link carries
    them); without any, every approved payout and every recovery."""
    if not can_manage_agreements(request.user):
        raise Http404
    municipality = request.user.municipality
    _filters, payouts, recoveries = _payouts_filtered(request)
    selection = _finance_selection(payouts, recoveries)
    programme = ProgrammeSettings.for_municipality(municipality)
    rows = payouts_finance_rows(
        payouts=selection["payouts"].select_related("agreement__party"),
        recoveries=selection["recoveries"].select_related("payout__agreement__party"),
        accounting_code=programme.accounting_code,
    )
    response = HttpResponse(
        csv_bytes(FINANCE_COLUMNS, rows), content_type=CONTENT_TYPES["csv"]
    )
    name = f"utbetalningar-{municipality.code}-{timezone.localdate().isoformat()}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


class PartyListView(RolePermissionMixin, ListView):
    permission_check = staticmethod(can_manage_agreements)
    template_name = "agreements/party_list.html"

    def get_queryset(self):
        return Party.objects.visible_to(self.request.user)


def party_create_view(request):
    """A new party; added from a new agreement's form (?for=agreement), saving it
    returns to that form with what was typed and the party chosen."""
    if not can_manage_agreements(request.user):
        raise Http404
    for_agreement = request.GET.get("for") == "agreement"

    def show(form):
        return render(
            request,
            "agreements/party_form.html",
            {"form": form, "for_agreement": for_agreement},
        )

    def saved(form):
        party = party_save(party=form.instance, by=request.user)
        if not for_agreement:
            return party
        query = urlencode({"draft": 1, "party": party.pk})
        return f"{reverse('agreements:agreement_create')}?{query}"

    if request.method != "POST":
        return show(PartyForm())
    form = PartyForm(request.POST)
    return form_action(
        request,
        form=form,
        action=saved,
        done=lambda _result: (
            _("The party %(name)s is added.") % {"name": form.instance}
        ),
        reshow=show,
        then=None if for_agreement else "agreements:party_list",
    )


def party_update_view(request, pk):
    """A party's details; new bank details wait there for a second person."""
    party = get_object_or_404(Party.objects.editable_by(request.user), pk=pk)

    def show(form):
        return render(
            request,
            "agreements/party_form.html",
            # The party's own changes: its agreements have pages of their own.
            {"form": form, "party": party, "history": history_of(tracked=[party])},
        )

    if request.method != "POST":
        return show(PartyForm(instance=party))
    return form_action(
        request,
        form=PartyForm(request.POST, instance=party),
        action=lambda form: party_save(party=form.instance, by=request.user),
        done=lambda saved: (
            (
                _(
                    "The party %(name)s is saved. The new bank details take effect "
                    "when another official or administrator confirms them."
                )
                if not saved.bank_details_confirmed
                else _("The party %(name)s is saved.")
            )
            % {"name": saved}
        ),
        reshow=show,
        then="agreements:party_list",
    )


@require_POST
def party_confirm_bank_details_view(request, pk):
    party = get_object_or_404(Party.objects.editable_by(request.user), pk=pk)
    try:
        party_confirm_bank_details(party=party, by=request.user)
        messages.success(
            request,
            _("The bank details of %(name)s are confirmed.") % {"name": party},
        )
    except ValidationError as error:
        show_errors(request, error)
    return redirect("agreements:party_list")


def delegation_view(request):
    """The municipality's delegation order: who signs up to which compensation."""
    if not can_edit_catalogue(request.user):
        raise Http404
    municipality = request.user.municipality
    staff = User.objects.municipal_staff().filter(
        municipality=municipality, is_active=True
    )

    def show(form):
        delegations = list(
            Delegation.objects.visible_to(request.user)
            .filter(user__is_active=True)
            .select_related("user")
        )
        return render(
            request,
            "agreements/delegation_list.html",
            {
                "form": form,
                "delegations": delegations,
                "programme": ProgrammeSettings.for_municipality(municipality),
                "history": history_of(delegations),
            },
        )

    if request.method != "POST":
        return show(DelegationForm(staff=staff))
    return form_action(
        request,
        form=DelegationForm(request.POST, staff=staff),
        action=lambda form: delegation_set(by=request.user, **form.cleaned_data),
        done=_("The delegation is saved."),
        reshow=show,
        then="agreements:delegations",
    )


class ServiceListView(RolePermissionMixin, ListView):
    """The municipality's service catalogue."""

    permission_check = staticmethod(can_manage_agreements)
    template_name = "agreements/service_list.html"

    def get_queryset(self):
        return Service.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = can_edit_catalogue(self.request.user)
        return context


def service_form_view(request, pk=None):
    if not can_edit_catalogue(request.user):
        raise Http404
    service = None
    if pk is not None:
        service = get_object_or_404(Service.objects.editable_by(request.user), pk=pk)

    def show(form):
        return render(request, "agreements/service_form.html", {"form": form})

    if request.method != "POST":
        return show(ServiceForm(instance=service))
    return form_action(
        request,
        form=ServiceForm(request.POST, instance=service),
        action=lambda form: service_save(service=form.instance, by=request.user),
        done=_("The catalogue is saved."),
        reshow=show,
        then="agreements:service_list",
    )


def budget_view(request):
    """The programme's budget per year against commitments, approvals and payments."""
    if not can_manage_agreements(request.user):
        raise Http404
    municipality = request.user.municipality
    form = BudgetForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not can_edit_catalogue(request.user):
            raise Http404
        if form.is_valid():
            budget_set(municipality=municipality, by=request.user, **form.cleaned_data)
            messages.success(request, _("The budget is saved."))
            return redirect("agreements:budget")
    this_year = timezone.localdate().year
    years = sorted(
        {this_year, this_year + 1}
        | set(
            ProgrammeBudget.objects.filter(municipality=municipality).values_list(
                "year", flat=True
            )
        ),
        reverse=True,
    )
    # Listed beside each year's commitment it would change; read once for all.
    changes = changes_under_work_in(municipality)
    return render(
        request,
        "agreements/budget.html",
        {
            "form": form,
            "summaries": [
                budget_summary(municipality=municipality, year=year, changes=changes)
                for year in years
            ],
            "can_edit": can_edit_catalogue(request.user),
        },
    )


def programme_settings_view(request):
    """The recommended compensation range, minimum services, VAT and accounting code."""
    if not can_edit_catalogue(request.user):
        raise Http404
    programme = ProgrammeSettings.for_municipality(request.user.municipality)

    def show(form):
        return render(request, "agreements/programme_settings.html", {"form": form})

    if request.method != "POST":
        return show(ProgrammeSettingsForm(instance=programme))
    return form_action(
        request,
        form=ProgrammeSettingsForm(request.POST, instance=programme),
        action=lambda form: programme_settings_save(
            programme=form.instance, by=request.user
        ),
        done=_("The settings are saved."),
        reshow=show,
        then="agreements:programme_settings",
    )
