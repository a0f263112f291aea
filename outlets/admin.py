from django.contrib import admin

from outlets.models import County, Locality, Municipality, Outlet


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "county", "organisation_number"]
    list_filter = ["county"]
    search_fields = ["code", "name", "organisation_number"]


@admin.register(Locality)
class LocalityAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "population"]
    list_filter = ["municipality__county"]
    search_fields = ["name"]
    autocomplete_fields = ["municipality"]


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "municipality", "locality", "status"]
    list_filter = ["kind", "status", "municipality__county"]
    search_fields = ["name"]
    autocomplete_fields = ["municipality", "locality"]
