"""The demo's contacts for Nordmaling's statements: invented functional addresses
on the example domain the demo's users have."""

from statements.models import StatementSettings


def seed_statement_settings(municipality) -> StatementSettings:
    contacts, _created = StatementSettings.objects.update_or_create(
        municipality=municipality,
        defaults={
            "website_url": "https://www.nordmaling.se/",
            "programme_email": "servicepunkter@nordmaling.example",
            "programme_phone": "070-174 06 50",  # a number kept for fiction (PTS)
            "accessibility_email": "tillganglighet@nordmaling.example",
            "accessibility_response_days": 10,
            "data_protection_officer_email": "dataskyddsombud@nordmaling.example",
            "registrar_email": "kommunen@nordmaling.example",
        },
    )
    return contacts
