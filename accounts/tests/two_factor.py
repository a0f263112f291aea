"""Signing in with the second factor in tests: a test client whose force_login
passes it, and the code a user's authenticator app shows."""

import time

import django.test
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import APP_DEVICE_NAME, has_two_factor


def app_of(user) -> TOTPDevice:
    """The user's authenticator app; one set up now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=APP_DEVICE_NAME, confirmed=True
        )
    return device


def app_code(device: TOTPDevice) -> str:
    """The code the app shows now, or, if that one was used already, the next one
    (within the one step of drift the server allows; else wait for it)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    step = max(totp.t(), device.last_t + 1)
    while step > totp.t() + device.tolerance:
        time.sleep(0.5)
    totp.time = device.t0 + (step - device.drift) * device.step
    return f"{totp.token():0{device.digits}d}"


def session_pass_second_factor(client, user):
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = app_of(user).persistent_id
    session.save()


class Client(django.test.Client):
    """force_login signs in fully: with the second factor where the user has one or
    their role requires one. `second_factor=False` stops after the password."""

    def force_login(self, user, backend=None, *, second_factor=True):
        super().force_login(user, backend)
        if second_factor and (user.requires_two_factor or has_two_factor(user)):
            session_pass_second_factor(self, user)
