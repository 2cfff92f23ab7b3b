"""Scheduled backups, run by the app itself as a background task of its lifespan.

The backup runs in a thread of its own (not one of the request threads) and reads the
database without blocking writers, so requests go on while it runs. The loop sleeps until the
newest backup is `interval` old, so a restart does not take an extra one. While the database
is unreachable (or the disk full) it says so once and tries again every minute, not once per
interval; any other failure is logged in full and waits an interval.
"""

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import anyio.to_thread

from backend.backups import rotation, service
from backend.outages import OutageLog

log = logging.getLogger("nexthop.backups")

# Wake at least this often, so a backup deleted by hand (or another worker's) is noticed.
MAX_SLEEP_SECONDS = 60.0
# While the database is unreachable or the disk full: try again this often.
OUTAGE_RETRY_SECONDS = 60.0


async def run_schedule(database_url: str, dest: Path, keep: int, interval: timedelta) -> None:
    limiter = anyio.CapacityLimiter(1)
    outage = OutageLog(log, "scheduled backups")
    while True:
        try:
            taken = await anyio.to_thread.run_sync(
                service.take_backup_if_due, database_url, dest, keep, interval, limiter=limiter
            )
            outage.worked()
            if taken is not None:
                log.info("scheduled backup taken: %s", taken)
        except Exception as exc:
            if outage.failed(exc):
                await anyio.sleep(OUTAGE_RETRY_SECONDS)
                continue
            log.exception("scheduled backup failed; trying again in one interval")
            await anyio.sleep(interval.total_seconds())
            continue
        last = await anyio.to_thread.run_sync(service.newest_backup, dest, limiter=limiter)
        wait = rotation.seconds_until_due(last, datetime.now(UTC), interval)
        await anyio.sleep(min(max(wait, 1.0), MAX_SLEEP_SECONDS))
