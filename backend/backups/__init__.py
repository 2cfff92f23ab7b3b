"""Online backups (SQLite's backup API, pg_dump), rotation, restore and the app's schedule."""
