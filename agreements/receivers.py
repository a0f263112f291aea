"""Receivers of the domain events the apps below agreements send (outlets)."""

from django.utils.translation import gettext as _

from agreements.services.lifecycle import (
    agreements_end_at_closure,
    agreements_ending_at_closure,
)


def agreements_end_on_outlet_closed(sender, outlet, closed_on, by, **kwargs):
    """A closed outlet's agreement ends on the closing date, in the closure's
    own transaction."""
    agreements_end_at_closure(outlet=outlet, by=by, closed_on=closed_on)


def agreements_on_outlet_close_page(sender, outlet, user, **kwargs):
    """Tell whoever is about to record the closure what happens to the agreement."""
    return [
        _(
            "%(outlet)s has agreement %(reference)s. Recording the closure ends it "
            "on the closing date: later payouts are cancelled, the last period is "
            "paid for the days up to the closing date, money already paid for days "
            "after it is claimed back, and the follow-up of the last year is still "
            "due."
        )
        % {"outlet": outlet.name, "reference": agreement.reference}
        for agreement in agreements_ending_at_closure(outlet=outlet)
    ]
