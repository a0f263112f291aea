"""Whether a stored result is older than its inputs: the register (outlets and
localities), the population data and the settings.

Database triggers count each input's version up whenever it changes (see
`AnalysisInputVersion`); a result keeps the versions it was computed from, read
before its inputs were. A version moved on since means the result is stale. A
change made while a result was being computed makes it stale too: the notice may
then come once too often, never once too few.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from analysis.models import AnalysisInputVersion, AnalysisResult
from outlets.models import Municipality

Input = AnalysisInputVersion.Input


def input_versions_now(*, municipality) -> dict:
    """The current versions: the register's of every municipality (people shop
    across borders), the population's and settings' of this one."""
    rows = AnalysisInputVersion.objects.filter(
        input=Input.REGISTER
    ) | AnalysisInputVersion.objects.filter(municipality=municipality)
    versions = {Input.REGISTER: {}, Input.POPULATION: 0, Input.SETTINGS: 0}
    for municipality_id, name, version in rows.values_list(
        "municipality_id", "input", "version"
    ):
        if name == Input.REGISTER:
            versions[Input.REGISTER][str(municipality_id)] = version
        elif municipality_id == municipality.pk:
            versions[name] = version
    return versions


def input_versions_kept(*, versions, municipality, result) -> dict:
    """The versions a result depends on: the register's of its own municipality
    and of those whose outlets are nearest to some of its squares."""
    codes = {entry.get("municipality_code") for entry in result.get("outlets", [])}
    ids = {str(municipality.pk)} | {
        str(pk)
        for pk in Municipality.objects.filter(code__in=codes - {None, ""}).values_list(
            "pk", flat=True
        )
    }
    return {
        Input.REGISTER: {
            pk: versions[Input.REGISTER].get(pk, 0) for pk in sorted(ids, key=int)
        },
        Input.POPULATION: versions[Input.POPULATION],
        Input.SETTINGS: versions[Input.SETTINGS],
    }


def input_versions_refresh(*, fingerprint, versions):
    """A cached result asked for again under the same fingerprint is computed from
    today's inputs: it takes today's versions of what it depends on."""
    stored = (
        AnalysisResult.objects.filter(fingerprint=fingerprint)
        .only("pk", "input_versions")
        .first()
    )
    if stored is None:
        return
    kept = stored.input_versions or {}
    fresh = {
        Input.REGISTER: {
            pk: versions[Input.REGISTER].get(pk, 0)
            for pk in kept.get(Input.REGISTER, {})
        },
        Input.POPULATION: versions[Input.POPULATION],
        Input.SETTINGS: versions[Input.SETTINGS],
    }
    if fresh != kept:
        AnalysisResult.objects.filter(pk=stored.pk).update(input_versions=fresh)


@dataclass(frozen=True)
class Staleness:
    """What changed since a result was computed, and when last."""

    computed_at: datetime
    register: datetime | None = None
    population: datetime | None = None
    settings: datetime | None = None

    @property
    def same_day(self) -> bool:
        """Whether something changed on the day the figures were computed: then
        the times tell which came first."""
        day = timezone.localdate(self.computed_at)
        return any(
            changed and timezone.localdate(changed) == day
            for changed in (self.register, self.population, self.settings)
        )


def result_staleness(*, stored: AnalysisResult) -> Staleness | None:
    """None when the stored result is as new as its inputs; else which changed."""
    kept = stored.input_versions or {}
    register_ids = [int(pk) for pk in kept.get(Input.REGISTER, {})] or [
        stored.municipality_id
    ]
    rows = AnalysisInputVersion.objects.filter(
        input=Input.REGISTER, municipality_id__in=register_ids
    ) | AnalysisInputVersion.objects.filter(
        municipality_id=stored.municipality_id,
        input__in=[Input.POPULATION, Input.SETTINGS],
    )
    changed = {}
    for row in rows:
        if row.input == Input.REGISTER:
            was = kept.get(Input.REGISTER, {}).get(str(row.municipality_id), 0)
        else:
            was = kept.get(row.input, 0)
        if row.version != was and (
            row.input not in changed or row.changed_at > changed[row.input]
        ):
            changed[row.input] = row.changed_at
    if not changed:
        return None
    return Staleness(computed_at=stored.computed_at, **changed)
