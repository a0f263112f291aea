from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "followup"
    verbose_name = _("Follow-up")

    def ready(self):
        from followup.panels import followup_outlet_panel
        from outlets.signals import outlet_page_panels

        outlet_page_panels.connect(
            followup_outlet_panel, dispatch_uid="followup_outlet_page_panel"
        )

        from agreements.signals import (
            agreement_ended_early,
            agreement_signed,
            payouts_planned,
        )
        from followup.receivers import (
            followups_on_agreement_ended_early,
            followups_on_agreement_signed,
            payout_conditions_on_payouts_planned,
        )

        agreement_signed.connect(
            followups_on_agreement_signed, dispatch_uid="followup_agreement_signed"
        )
        agreement_ended_early.connect(
            followups_on_agreement_ended_early,
            dispatch_uid="followup_agreement_ended_early",
        )
        payouts_planned.connect(
            payout_conditions_on_payouts_planned,
            dispatch_uid="followup_payouts_planned",
        )
