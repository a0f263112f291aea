"""The code the demo's authenticator app would show now (DEBUG only)."""

import base64
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_TOTP_KEY, DEMO_USERS


class Command(BaseCommand):
    help = (
        "Print the current two-factor code of the demo's system owner and "
        "administrator, whose authenticator key the README publishes."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code runs only with DEBUG on, as seed_demo does.")
        demo_emails = [demo.email for demo in DEMO_USERS]
        devices = TOTPDevice.objects.filter(
            user__email__in=demo_emails, confirmed=True
        ).select_related("user")
        demo_devices = [
            device
            for device in devices
            if device.bin_key == base64.b32decode(DEMO_TOTP_KEY)
        ]
        if not demo_devices:
            raise CommandError("No demo user has the demo's key: run seed_demo first.")
        totp = TOTP(demo_devices[0].bin_key, step=30, digits=6)
        seconds_left = 30 - int(time.time()) % 30
        code = f"{totp.token():06d}"
        for device in demo_devices:
            self.stdout.write(f"{device.user.email}: {code}")
        self.stdout.write(f"(valid for {seconds_left} more seconds, then the next one)")
