"""The agreements' panel on an outlet's page: its agreement in force, drafts and
ended ones, and the services the agreement in force holds."""

from django.db.models import Prefetch
from django.utils import timezone

from agreements.models import Agreement, AgreementVersion
from outlets.panels import OutletPanel

ORDER = 10


def agreements_outlet_panel(sender, outlet, user, **kwargs):
    """Only the agreements the user may read: the outlet's municipality, the
    county's regional viewers and the outlet's own shop owner."""
    today = timezone.localdate()
    agreements = list(
        Agreement.objects.visible_to(user)
        .filter(outlet=outlet)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=AgreementVersion.objects.prefetch_related("services__service"),
            )
        )
        .order_by("-starts_on", "-created_at")
    )
    in_force, current, ended = None, [], []
    for agreement in agreements:
        agreement.status = agreement.status_on(today)
        if agreement.status in ("in_force", "notice_given") and in_force is None:
            in_force = agreement
        elif agreement.status in ("ended", "withdrawn"):
            ended.append(agreement)
        else:
            current.append(agreement)
    version = in_force.version_in_force(today) if in_force else None
    return OutletPanel(
        template_name="agreements/_outlet_panel.html",
        order=ORDER,
        context={
            "outlet": outlet,
            "in_force": in_force,
            "services": list(version.services.all()) if version else [],
            "annual_compensation": version.annual_compensation if version else None,
            "current": current,
            "ended": ended,
        },
    )
