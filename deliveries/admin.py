from django.contrib import admin

from deliveries.models import Delivery, MonthlyDeliveryTotal


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["delivered_on", "outlet", "household_reference", "cost"]
    list_filter = ["outlet__municipality"]
    list_select_related = ["outlet"]


@admin.register(MonthlyDeliveryTotal)
class MonthlyDeliveryTotalAdmin(admin.ModelAdmin):
    list_display = ["outlet", "year", "month", "delivery_count", "cost"]
    list_filter = ["year", "outlet__municipality"]
    list_select_related = ["outlet"]
