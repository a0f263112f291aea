"""Follow-up views, one module per job: the follow-up itself (staff), the owner
portal, activities and trainings, and the municipality's settings."""
