from django.db import models
from django.utils.translation import gettext_lazy as _

from outlets.models import Municipality


class PublicDataVersion(models.Model):
    """How often what the public sees of a municipality's service points has
    changed, and when last.

    Counted by database triggers (migration 0001) on the tables the public data is
    read from, so every path counts: forms, imports, the admin, raw SQL. The public
    pages' cache keys and the open data's Last-Modified follow it; an agreement that
    comes into force or ends on a day writes no row that day, which
    `public.selectors.public_data_last_modified` adds from the dates themselves.
    """

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("municipality"),
    )
    version = models.PositiveBigIntegerField(_("version"), default=0)
    changed_at = models.DateTimeField(_("last changed"))

    class Meta:
        verbose_name = _("public data version")
        verbose_name_plural = _("public data versions")

    def __str__(self):
        return f"{self.municipality} {self.version}"
