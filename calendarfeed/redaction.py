"""Keeps calendar addresses out of the app's log: a path such as
/calendar/<secret>.ics in a log line (Django's line about a failed request names
the path) is written as /calendar/[address].ics."""

import logging
import re

FEED_PATH = re.compile(r"/calendar/[^/\s\"'?#]+\.ics")
REDACTED = "/calendar/[address].ics"


class FeedAddressFilter(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        if FEED_PATH.search(message):
            record.msg, record.args = FEED_PATH.sub(REDACTED, message), ()
        return True
