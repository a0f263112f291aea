from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from outlets.models import Municipality, Outlet
from outlets.permissions import can_view_outlet_records


class OutletListView(ListView):
    """Staff start in the municipalities they work for and may widen to all."""

    template_name = "outlets/outlet_list.html"
    paginate_by = 50

    def get_queryset(self):
        user = self.request.user
        outlets = Outlet.objects.visible_to(user).select_related(
            "municipality", "locality"
        )
        scope = self.request.GET.get("municipality", "")
        if not user.reads_all_base_data or scope == "all":
            return outlets
        if scope:
            return outlets.filter(municipality__code=scope)
        return outlets.filter(user.records_scope())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = self.request.GET.get("municipality", "")
        context["scope"] = scope
        if scope and scope != "all":
            context["scope_municipality"] = Municipality.objects.filter(
                code=scope
            ).first()
        return context


class OutletDetailView(DetailView):
    template_name = "outlets/outlet_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Outlet.objects.visible_to(self.request.user).select_related(
                "municipality", "locality"
            ),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        outlet = self.object
        context["shows_records"] = can_view_outlet_records(self.request.user, outlet)
        if context["shows_records"]:
            context["owners"] = outlet.owners.filter(is_active=True)
        return context
