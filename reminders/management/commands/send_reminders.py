"""python manage.py send_reminders: the day's reminders, each sent once (cron)."""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from reminders.services import reminders_send


class Command(BaseCommand):
    help = (
        "E-mails the reminders due today (reports, follow-ups, decision dates, "
        "notice deadlines, payouts awaiting approval); each is sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The day to remind as of (YYYY-MM-DD); today by default.",
        )

    def handle(self, *args, today=None, **options):
        # Whoever reads the output reads the project's language, as the e-mails do.
        with translation.override(settings.LANGUAGE_CODE):
            result = reminders_send(today=today)
            self.stdout.write(_("Reminders sent: %(count)s") % {"count": result.sent})
            if result.failed:
                self.stderr.write(
                    _("Reminders not sent (tried again next run): %(count)s")
                    % {"count": result.failed}
                )
