"""E-mails sent when something happens rather than on a day: the shop owners are
told that a document waits for their signature."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Invitation, User
from reminders.services import site_link

logger = logging.getLogger(__name__)


def signature_requested_recipients(outlet_id):
    """The outlet's shop owners who can be written to: active accounts with an
    address (an erased account's is not one)."""
    return (
        User.objects.shop_owners()
        .filter(is_active=True, outlets=outlet_id)
        .exclude(email="")
        .exclude(email__iendswith=f"@{User.ERASED_EMAIL_DOMAIN}")
        .order_by("pk")
    )


def recipient_language(user) -> str:
    """The language the user was invited in, the only one the project keeps for a
    person; Swedish (the default) otherwise."""
    invitation = Invitation.objects.filter(user=user).first()
    return invitation.language if invitation else settings.LANGUAGE_CODE


def signature_request_send(sender, agreement, version, **kwargs):
    """One e-mail to each of the outlet's shop owners when a document of theirs is
    made ready for signature (`agreement_ready_for_signature`, sent after commit
    once per ready-marking), with the link to the page where they sign."""
    link = site_link(agreement.get_absolute_url())
    for recipient in signature_requested_recipients(agreement.outlet_id):
        with translation.override(recipient_language(recipient)):
            names = {
                "name": recipient.full_name or recipient.email,
                "document": version.document_title,
                "outlet": agreement.outlet.name,
                "municipality": str(agreement.municipality),
                "party": agreement.party.name,
            }
            subject = _("%(document)s for %(outlet)s waits for your signature") % names
            body = "\n\n".join(
                [
                    _("Hello %(name)s,") % names,
                    _(
                        "%(document)s for %(outlet)s, between %(municipality)s and "
                        "%(party)s, is ready for signature. Read it and sign it for "
                        "the service point in Servicepunkter, signed in with your "
                        "account:"
                    )
                    % names,
                    link,
                    _(
                        "If you sign on paper instead, the municipality records "
                        "your signature. This e-mail is sent once, when the "
                        "document is made ready for signature."
                    ),
                ]
            )
        try:
            send_mail(
                subject=subject,
                message=body,
                from_email=None,
                recipient_list=[recipient.email],
                fail_silently=False,
            )
        except Exception:
            # The marking stands; the owner still sees the document waiting on
            # their start page.
            logger.exception(
                "Signature request for version %s to user %s not sent",
                version.pk,
                recipient.pk,
            )
