"""The agreement's lifecycle through its services, on a real database."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.tests.factories import TEST_PASSWORD, UserFactory
from agreements.models import Agreement, Payout, ProgrammeSettings
from agreements.services import (
    agreement_amend,
    agreement_create,
    agreement_give_notice,
    agreement_mark_ready,
    agreement_sign,
    agreement_update_draft,
    payout_approve,
    payout_condition_set,
)
from agreements.tests.conftest import TERMS, lines
from agreements.tests.factories import AgreementVersionFactory
from agreements.tests.helpers import sign_completely
from outlets.tests.factories import OutletFactory, municipality

pytestmark = pytest.mark.django_db


def sign_both(agreement, official, shop_owner):
    agreement_sign(
        agreement=agreement,
        by=official,
        side="municipality",
        name="Johan Berg",
        title="Näringslivsutvecklare",
        password=TEST_PASSWORD,
    )
    return sign_completely(
        agreement=agreement,
        by=shop_owner,
        side="party",
        name="Per Lindberg",
        title="VD",
        password=TEST_PASSWORD,
    )


def test_a_new_draft_has_no_reference_yet_and_the_sum_of_its_services(draft):
    version = draft.first_version()
    assert draft.reference == ""
    assert str(draft) == "Utkast"
    assert draft.state == Agreement.State.DRAFT
    assert version.annual_compensation == 40_000
    assert draft.status_on(date(2026, 6, 1)) == "draft"


def test_compensation_outside_the_recommended_range_needs_a_written_justification(
    official, own_outlet, party, catalogue
):
    with pytest.raises(ValidationError) as error:
        agreement_create(
            by=official,
            outlet=own_outlet,
            party=party,
            version_fields=dict(TERMS),
            services=lines(catalogue, count=6),
        )
    assert error.value.error_dict["compensation_justification"][0].code == (
        "justification_required"
    )
    justified = dict(TERMS, compensation_justification="Två orter utan annan butik.")
    agreement = agreement_create(
        by=official,
        outlet=own_outlet,
        party=party,
        version_fields=justified,
        services=lines(catalogue, count=6),
    )
    assert agreement.first_version().annual_compensation == 60_000


def test_the_municipalitys_minimum_number_of_services_is_enforced(
    official, own_outlet, party, catalogue, nordmaling
):
    ProgrammeSettings.objects.create(municipality=nordmaling, minimum_services=3)
    with pytest.raises(ValidationError) as error:
        agreement_create(
            by=official,
            outlet=own_outlet,
            party=party,
            version_fields=dict(TERMS, annual_compensation=40_000),
            services=lines(catalogue, count=2),
        )
    assert error.value.code == "too_few_services"
    assert not Agreement.objects.exists()


def test_an_official_of_another_municipality_cannot_create_or_change_an_agreement(
    umea_official, draft, own_outlet, party, catalogue
):
    with pytest.raises(PermissionDenied):
        agreement_create(
            by=umea_official,
            outlet=own_outlet,
            party=party,
            version_fields=dict(TERMS),
            services=lines(catalogue),
        )
    with pytest.raises(PermissionDenied):
        agreement_update_draft(
            agreement=draft,
            by=umea_official,
            version_fields={"space": "Hela butiken"},
            services=lines(catalogue),
        )


def test_ready_for_signature_freezes_the_version(official, draft, catalogue):
    agreement_mark_ready(agreement=draft, by=official)
    draft.refresh_from_db()
    version = draft.first_version()
    assert draft.state == Agreement.State.READY
    assert len(version.document_sha256) == 64
    assert version.document.read().startswith(b"%PDF-")
    with pytest.raises(ValidationError) as error:
        agreement_update_draft(
            agreement=draft,
            by=official,
            version_fields={"space": "Hela butiken"},
            services=lines(catalogue),
        )
    assert error.value.code == "frozen"


@pytest.mark.smoke
def test_both_sides_sign_in_the_app_and_the_agreement_is_in_force_with_its_payouts(
    official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    draft.refresh_from_db()
    version = draft.first_version()
    assert draft.state == Agreement.State.SIGNED
    assert draft.starts_on == date(2026, 1, 1)
    assert draft.ends_on is None  # tacitly extended, no notice yet
    assert draft.status_on(date(2026, 6, 1)) == "in_force"
    assert version.signed_document.read().startswith(b"%PDF-")
    assert version.is_sealed
    assert [payout.amount for payout in draft.payouts.all()][:3] == [40_000] * 3


def test_a_wrong_password_records_no_signature(official, draft):
    agreement_mark_ready(agreement=draft, by=official)
    with pytest.raises(ValidationError) as error:
        agreement_sign(
            agreement=draft,
            by=official,
            side="municipality",
            name="Johan Berg",
            title="Handläggare",
            password="fel",
        )
    assert error.value.error_dict["password"][0].messages == ["Lösenordet är fel."]
    assert not draft.first_version().signatures.exists()


def test_another_shop_owner_cannot_sign_for_the_service_point(official, draft):
    agreement_mark_ready(agreement=draft, by=official)
    stranger = UserFactory(shop_owner=True, outlets=[OutletFactory()])
    with pytest.raises(PermissionDenied):
        agreement_sign(
            agreement=draft,
            by=stranger,
            side="party",
            name="X",
            title="VD",
            password=TEST_PASSWORD,
        )


@pytest.mark.parametrize("side", ["municipality", "party"])
def test_a_reader_who_may_not_sign_is_refused_by_the_service_itself(
    official, regional_viewer, draft, side
):
    """The views answer 404 first; the service refuses as the last line of defence."""
    agreement_mark_ready(agreement=draft, by=official)
    assert Agreement.objects.visible_to(regional_viewer).filter(pk=draft.pk).exists()
    with pytest.raises(PermissionDenied):
        agreement_sign(
            agreement=draft,
            by=regional_viewer,
            side=side,
            name="Maria Ek",
            title="Regionen",
            password=TEST_PASSWORD,
        )
    assert not draft.first_version().signatures.exists()


def test_a_reader_cannot_change_an_agreement_or_its_payouts_through_the_services(
    official, shop_owner, regional_viewer, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    payout = draft.payouts.first()
    assert payout is not None
    for reader in (regional_viewer, shop_owner):
        with pytest.raises(PermissionDenied):
            agreement_give_notice(
                agreement=draft,
                by=reader,
                given_on=date(2026, 3, 1),
                given_by="Per Lindberg",
                reason="Butiken stänger.",
            )
        with pytest.raises(PermissionDenied):
            payout_approve(payout=payout, by=reader)


def test_a_draft_cannot_be_signed(official, draft):
    with pytest.raises(ValidationError) as error:
        agreement_sign(
            agreement=draft,
            by=official,
            side="municipality",
            name="Johan Berg",
            title="Handläggare",
            password=TEST_PASSWORD,
        )
    assert error.value.code == "not_ready"


def test_notice_a_day_late_ends_the_agreement_after_the_next_extension(
    official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    agreement_give_notice(
        agreement=draft,
        by=official,
        given_on=date(2028, 10, 1),
        given_by="party",
        reason="Butiken säljs.",
    )
    draft.refresh_from_db()
    assert draft.ends_on == date(2029, 12, 31)
    assert draft.status_on(date(2029, 6, 1)) == "notice_given"
    assert draft.status_on(date(2030, 1, 1)) == "ended"


def test_notice_is_recorded_while_other_outlets_have_agreements_in_force(
    official, shop_owner, draft, party
):
    signed_agreement(OutletFactory(), party, date(2026, 1, 1), None, "D-1")
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    agreement_give_notice(
        agreement=draft,
        by=official,
        given_on=date(2026, 3, 1),
        given_by="municipality",
        reason="",
    )
    draft.refresh_from_db()
    assert draft.ends_on == date(2028, 12, 31)


def test_a_payout_waits_for_its_follow_up_before_it_can_be_approved(
    official, colleague, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    payout = draft.payouts.get(agreement_year=2)
    with pytest.raises(ValidationError) as error:
        payout_approve(payout=payout, by=colleague)
    assert error.value.code == "condition_not_met"
    payout_condition_set(agreement=draft, agreement_year=1, followup_complete=True)
    payout.refresh_from_db()
    payout_approve(payout=payout, by=colleague)
    assert payout.status == Payout.Status.APPROVED


def test_the_database_refuses_to_approve_a_payout_whose_condition_does_not_hold(
    official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        draft.payouts.filter(agreement_year=2).update(status=Payout.Status.APPROVED)


def signed_agreement(outlet, party, starts_on, ends_on, reference):
    return Agreement.objects.create(
        municipality=outlet.municipality,
        outlet=outlet,
        party=party,
        reference=reference,
        state=Agreement.State.SIGNED,
        signed_on=starts_on,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def test_two_agreements_in_force_for_one_outlet_at_once_are_refused_by_the_database(
    own_outlet, party
):
    signed_agreement(own_outlet, party, date(2026, 1, 1), date(2028, 12, 31), "A-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        signed_agreement(own_outlet, party, date(2028, 6, 1), None, "A-2")
    # The day after the first ends, another may start; another outlet any time.
    signed_agreement(own_outlet, party, date(2029, 1, 1), None, "A-3")
    signed_agreement(OutletFactory(), party, date(2026, 1, 1), None, "A-4")


def test_an_open_ended_agreement_blocks_every_later_one_for_the_outlet(
    own_outlet, party
):
    signed_agreement(own_outlet, party, date(2026, 1, 1), None, "B-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        signed_agreement(own_outlet, party, date(2040, 1, 1), None, "B-2")


def test_drafts_for_the_same_outlet_do_not_collide(own_outlet, party):
    for _ in range(2):
        Agreement.objects.create(
            municipality=own_outlet.municipality, outlet=own_outlet, party=party
        )


def test_agreements_are_visible_to_their_municipality_region_and_owner_only(
    draft, official, umea_official, regional_viewer, shop_owner
):
    other_owner = UserFactory(shop_owner=True, outlets=[OutletFactory()])
    stockholm = UserFactory(regional_viewer=True, county=municipality("0180").county)
    visible = {
        user: Agreement.objects.visible_to(user).filter(pk=draft.pk).exists()
        for user in (official, umea_official, regional_viewer, shop_owner, other_owner)
    }
    assert visible == {
        official: True,
        umea_official: False,
        regional_viewer: True,
        shop_owner: True,
        other_owner: False,
    }
    assert not Agreement.objects.visible_to(stockholm).exists()


def test_an_amendment_is_signed_in_its_turn_and_rules_from_its_effective_date(
    official, shop_owner, draft, catalogue
):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    amendment = agreement_amend(
        agreement=draft,
        by=official,
        effective_on=date(2027, 7, 1),
        reason="Hemsändning läggs till.",
    )
    assert amendment.number == 2
    assert not amendment.is_frozen
    agreement_update_draft(
        agreement=draft,
        by=official,
        version_fields={"annual_compensation": 48_000},
        services=lines(catalogue, 5),
    )
    agreement_mark_ready(agreement=draft, by=official)
    # Until both sides sign, the first version's terms rule.
    assert draft.version_on(date(2027, 8, 1)).number == 1
    sign_both(draft, official, shop_owner)
    draft.refresh_from_db()

    assert draft.version_on(date(2027, 6, 30)).number == 1
    assert draft.version_on(date(2027, 7, 1)).number == 2
    assert draft.versions.get(number=2).signed_document
    # 2027 is paid in arrears for the year 2027-01-01 – 2027-12-31: 181 days at
    # 40 000 kr a year, 184 days at 48 000 kr.
    year_two = draft.payouts.exclude(status="cancelled").get(agreement_year=2)
    assert year_two.amount == 40_000 * 181 // 365 + 40_000 * 48_000 * 184 // (
        40_000 * 365
    )
    assert (
        draft.payouts.exclude(status="cancelled").get(agreement_year=3).amount == 48_000
    )
    # The signed first version is untouched.
    assert draft.versions.get(number=1).annual_compensation == 40_000


def test_an_amendment_needs_a_reason_and_a_date_within_the_agreement(
    official, shop_owner, draft
):
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    with pytest.raises(ValidationError) as error:
        agreement_amend(
            agreement=draft, by=official, effective_on=date(2025, 1, 1), reason="x"
        )
    assert "effective_on" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        agreement_amend(
            agreement=draft, by=official, effective_on=date(2027, 1, 1), reason=" "
        )
    assert "reason" in error.value.error_dict


def test_a_draft_cannot_be_amended(official, draft):
    with pytest.raises(ValidationError) as error:
        agreement_amend(
            agreement=draft, by=official, effective_on=date(2026, 6, 1), reason="x"
        )
    assert error.value.code == "not_amendable"


def test_a_payout_that_waits_for_the_yearly_report_needs_it_as_well_as_the_follow_up(
    official, colleague, shop_owner, draft
):
    version = draft.first_version()
    version.payout_requires_report = True
    version.save()
    agreement_mark_ready(agreement=draft, by=official)
    sign_both(draft, official, shop_owner)
    payout = draft.payouts.get(agreement_year=2)
    assert (payout.requires_followup, payout.requires_report) == (True, True)
    payout_condition_set(agreement=draft, agreement_year=1, followup_complete=True)
    payout.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        payout_approve(payout=payout, by=colleague)
    assert "årsrapport" in error.value.messages[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.filter(pk=payout.pk).update(status=Payout.Status.APPROVED)
    payout_condition_set(agreement=draft, agreement_year=1, report_received=True)
    payout.refresh_from_db()
    payout_approve(payout=payout, by=colleague)
    assert payout.status == Payout.Status.APPROVED


def test_edits_after_freezing_change_neither_the_frozen_nor_the_signed_document(
    tmp_path, official, shop_owner, draft
):
    from agreements.tests.test_documents import pdf_text

    agreement_mark_ready(agreement=draft, by=official)
    party, outlet = draft.party, draft.outlet
    party.name, party.organisation_number = "Nya Ägare AB", "556036-0793"
    party.save()
    outlet.name = "Omdöpt Butik"
    outlet.save()
    service = draft.first_version().services.first().service
    old_service_name = service.name
    service.name = "Omdöpt tjänst"
    service.save()

    sign_both(draft, official, shop_owner)
    version = draft.first_version()
    signed = pdf_text(tmp_path, version.signed_document.read(), "signed.pdf")
    frozen = pdf_text(tmp_path, version.document.read(), "frozen.pdf")
    for text in (frozen, signed):
        assert "Pers Livs AB" in text and "Nya Ägare AB" not in text
        assert old_service_name in text and "Omdöpt" not in text


def test_the_next_periods_payouts_are_planned_once_it_has_begun(
    official, shop_owner, own_outlet, party, catalogue
):
    from agreements.services import payouts_plan_ahead

    agreement = agreement_create(
        by=official,
        outlet=own_outlet,
        party=party,
        version_fields=dict(TERMS, initial_term_months=12, extension_months=12),
        services=lines(catalogue),
    )
    agreement_mark_ready(agreement=agreement, by=official)
    sign_both(agreement, official, shop_owner)
    years = set(agreement.payouts.values_list("agreement_year", flat=True))

    payouts_plan_ahead(today=date(2028, 3, 1))
    payouts_plan_ahead(today=date(2028, 3, 1))

    planned = agreement.payouts.order_by("period_start")
    assert set(planned.values_list("agreement_year", flat=True)) == years | {2, 3}
    assert [p.period_end for p in planned][-1] == date(2028, 12, 31)
    assert planned.count() == len(years | {2, 3})


def test_versions_are_named_avtal_then_tillagg_1_and_tillagg_2():
    first = AgreementVersionFactory()
    second = AgreementVersionFactory(agreement=first.agreement, number=2)
    third = AgreementVersionFactory(agreement=first.agreement, number=3)

    with translation.override("sv"):
        assert [first.name, second.name, third.name] == [
            "Avtal",
            "Tillägg 1",
            "Tillägg 2",
        ]
    with translation.override("en"):
        assert third.name == "Amendment 2"
    assert [first.amendment_number, second.amendment_number] == [None, 1]


@pytest.mark.parametrize("typed", ["145", "§ 145", "§145", "  § 145 ", "§§ 145"])
def test_the_decisions_paragraph_reads_section_sign_145_however_typed(typed):
    assert (
        AgreementVersionFactory.build(
            decision_paragraph=typed
        ).decision_paragraph_display
        == "§ 145"
    )


def test_no_paragraph_reads_as_nothing():
    version = AgreementVersionFactory.build(decision_paragraph="")

    assert version.decision_paragraph_display == ""
