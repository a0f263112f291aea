"""The follow-up's panel on an outlet's page: this year's follow-up and its status."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUp
from outlets.panels import OutletPanel

ORDER = 20


def followup_outlet_panel(sender, outlet, user, **kwargs):
    """Staff of the municipality and the county read the follow-ups; the outlet's
    shop owner reaches the ones they report in. Others get no panel."""
    if user.is_authenticated and user.is_shop_owner:
        followups, url_name = FollowUp.objects.recordable_by(user), "followup:report"
    else:
        followups = FollowUp.objects.visible_to(user)
        url_name = "followup:followup_detail"
    today = timezone.localdate()
    # This year's, and any earlier one still open: what is to be done about it now.
    rows = list(
        followups.filter(agreement__outlet=outlet)
        .filter(
            Q(due_on__year=today.year) | Q(completed_at__isnull=True, due_on__lt=today)
        )
        .select_related("agreement")
        .order_by("due_on")[:5]
    )
    if not rows and not followups.filter(agreement__outlet=outlet).exists():
        return None  # never followed up: nothing to say beside the agreement
    for followup in rows:
        followup.status = followup.status_on(today)
        followup.url = reverse(url_name, kwargs={"pk": followup.pk})
    return OutletPanel(
        template_name="followup/_outlet_panel.html",
        order=ORDER,
        context={"followups": rows, "year": today.year},
    )
