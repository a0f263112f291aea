from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from agreements.signals import agreement_ready_for_signature
        from reminders.receivers import signature_request_send

        agreement_ready_for_signature.connect(
            signature_request_send, dispatch_uid="reminders_signature_requested"
        )
