from procrastinate.contrib.django import app


def test_the_stalled_job_retry_runs_every_five_minutes_unless_set(settings):
    """core.retry_stalled_jobs runs at STALLED_JOBS_RETRY_CRON, read from the
    settings when procrastinate's autodiscovery registers the tasks."""
    assert settings.STALLED_JOBS_RETRY_CRON == "*/5 * * * *"
    periodic_task = app.periodic_registry.periodic_tasks[
        ("core.retry_stalled_jobs", "retry_stalled_jobs")
    ]
    assert periodic_task.cron == settings.STALLED_JOBS_RETRY_CRON
