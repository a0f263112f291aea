from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import ListView

from core.exporting import CONTENT_TYPES, csv_lines
from core.views import RolePermissionMixin
from securitylog.forms import SecurityLogFilterForm
from securitylog.models import SecurityEvent
from securitylog.permissions import can_read_security_log


class SecurityEventListView(RolePermissionMixin, ListView):
    """The security log of the administrator's municipality (the system owner's:
    all of it), filtered by person, kind and dates."""

    permission_check = staticmethod(can_read_security_log)
    template_name = "securitylog/event_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filters = SecurityLogFilterForm(self.request.GET or None)
        events = SecurityEvent.objects.visible_to(self.request.user).select_related(
            "user", "municipality"
        )
        return self.filters.filter(events)

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filters=self.filters, export_query=query.urlencode(), **kwargs
        )


class SecurityEventExportView(SecurityEventListView):
    """The filtered log as CSV (itself logged as a download), streamed: the system
    owner's whole log is never held in memory."""

    def get(self, request, *args, **kwargs):
        events = self.get_queryset()
        headers = [
            _("Time"),
            _("Event"),
            _("User"),
            _("E-mail address"),
            _("Municipality"),
            _("IP address"),
            _("Page"),
            _("Detail"),
        ]
        rows = (
            [
                timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                event.get_kind_display(),
                event.user.full_name if event.user else "",
                event.email,
                str(event.municipality) if event.municipality else "",
                event.ip_address or "",
                event.path,
                event.detail,
            ]
            for event in events.iterator(chunk_size=1000)
        )
        response = StreamingHttpResponse(
            csv_lines(headers, rows), content_type=CONTENT_TYPES["csv"]
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="sakerhetslogg-{stamp}.csv"'
        )
        return response
