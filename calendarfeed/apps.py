from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarFeedConfig(AppConfig):
    name = "calendarfeed"
    verbose_name = _("Calendar feed")

    def ready(self):
        from accounts.signals import profile_page_panels
        from calendarfeed.panels import calendar_feed_profile_panel

        profile_page_panels.connect(
            calendar_feed_profile_panel, dispatch_uid="calendarfeed_profile_panel"
        )
