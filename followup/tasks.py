"""The followup app's background jobs (procrastinate; README: Background work)."""

import logging
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

from django import db
from django.conf import settings
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from followup.daily import daily_run
from followup.models import DailyRun

logger = logging.getLogger(__name__)


@app.periodic(cron=settings.RUN_DAILY_CRON, periodic_id="run_daily")
@app.task(
    name="followup.run_daily",
    queue="daily",
    queueing_lock="run_daily",
    pass_context=True,
    # 100 s, 17 min, 2.8 h after a failure: done long before the next day's run.
    retry=RetryStrategy(max_attempts=4, exponential_wait=10),
)
def run_daily(context, timestamp: int):
    """The day's work, for the day (in TIME_ZONE) the job was scheduled for: once,
    however many workers defer or run it, and whether or not cron ran it too."""
    day = datetime.fromtimestamp(timestamp, tz=ZoneInfo(settings.TIME_ZONE)).date()
    output = StringIO()
    try:
        daily_run(
            day=day,
            trigger=DailyRun.Trigger.JOB,
            job_id=context.job.id,
            stdout=output,
        )
        logger.info("run_daily of %s: %s", day, output.getvalue().strip())
    finally:
        # The worker runs each job in a thread of its own; its connection would
        # otherwise stay open with the thread.
        db.connection.close()
