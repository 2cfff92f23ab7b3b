"""Command line: `python -m backend migrate|makemigration|openapi|serve|backup|restore|...`."""

import argparse
import getpass
import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from alembic import command
from sqlalchemy import Engine

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from backend.config import Settings

# Request line and headers together, when uvicorn parses with h11 (`--http h11`). The
# default parser, httptools (uvicorn[standard]), has no such limit: see README "Slow clients".
H11_MAX_INCOMPLETE_EVENT_BYTES = 16 * 1024

ACCOUNT_COMMANDS = (
    "create-user", "reset-password", "list-users", "promote", "demote", "create-token"
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nexthop", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    migrate = sub.add_parser(
        "migrate", help="back up a database holding data, then apply pending migrations"
    )
    migrate.add_argument(
        "--no-backup",
        action="store_true",
        help="skip the automatic backup (only if you have just taken one of your own)",
    )
    make = sub.add_parser("makemigration", help="autogenerate a migration from the models")
    make.add_argument("message")
    spec = sub.add_parser("openapi", help="write the OpenAPI schema")
    spec.add_argument("--out", type=Path, default=Path("openapi/openapi.json"))
    serve = sub.add_parser("serve", help="migrate, then serve with uvicorn")
    serve.add_argument(
        "--workers", type=int, default=1, help="API processes (stateless; share the database)"
    )
    create = sub.add_parser("create-user", help="create an account (password from stdin/prompt)")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True, help="display name")
    create.add_argument(
        "--admin", action="store_true", help="(the first account is the administrator anyway)"
    )
    reset = sub.add_parser(
        "reset-password", help="set an account's password; signs it out, revokes its tokens"
    )
    reset.add_argument("--email", required=True)
    sub.add_parser("list-users", help="list the accounts")
    token = sub.add_parser("create-token", help="make an API token for an account (shown once)")
    token.add_argument("--email", required=True)
    token.add_argument("--name", required=True, help="what it is for")
    token.add_argument("--scope", choices=["read_write", "read"], default="read_write")
    token.add_argument("--expires-days", type=int, help="days it is valid (default: no expiry)")
    promote = sub.add_parser("promote", help="make an account an administrator")
    promote.add_argument("--email", required=True)
    demote = sub.add_parser("demote", help="make an administrator a plain user (not the last)")
    demote.add_argument("--email", required=True)
    backup = sub.add_parser("backup", help="an online, consistent backup (while serving is fine)")
    backup.add_argument("--to", type=Path, help="directory (default: NEXTHOP_BACKUP_DIR)")
    backup.add_argument("--keep", type=int, help="backups kept (default: NEXTHOP_BACKUP_KEEP)")
    restore = sub.add_parser("restore", help="a backup into a new data dir or an empty database")
    restore.add_argument("file", type=Path)
    target = restore.add_mutually_exclusive_group(required=True)
    target.add_argument("--data-dir", type=Path, help="new (or empty) directory, for SQLite")
    target.add_argument("--database-url", help="an empty PostgreSQL database, for a pg_dump")
    args = parser.parse_args(argv)

    from backend import migrations
    from backend.db import make_engine
    from backend.settings_errors import settings_or_exit

    settings = settings_or_exit()
    if args.cmd == "openapi":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(openapi_text())
        return 0
    if args.cmd in ("backup", "restore"):
        return backup_command(args, settings)
    if args.cmd in ACCOUNT_COMMANDS:
        return admin_command(args, settings)
    engine = make_engine(settings)
    if args.cmd == "migrate":
        return 0 if upgrade_command(engine, settings, backup=not args.no_backup) else 1
    elif args.cmd == "makemigration":
        command.revision(migrations.alembic_config(engine), message=args.message, autogenerate=True)
    elif args.cmd == "serve":
        from backend.observability.multiprocess import use_shared_metrics_dir

        upgraded = upgrade_command(engine, settings, backup=True)
        engine.dispose()
        if not upgraded:
            return 1
        # Several workers count into one directory, so any of them answers /metrics in full.
        use_shared_metrics_dir(args.workers, settings.metrics_enabled)
        with stop_exits_cleanly():
            serve_with_uvicorn(args.workers, settings)
    return 0


def serve_with_uvicorn(workers: int, settings: "Settings") -> None:
    import uvicorn

    from backend.observability.logs import log_config

    uvicorn.run(
        "backend.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        log_config=log_config(settings.log_level, settings.log_format),
        # The app logs each request itself, with its id, route and duration.
        access_log=False,
        workers=workers,
        # Bounded SQLite reads run on the event loop (backend.reads). When the loop is
        # saturated, uvloop serves new requests ahead of flushing finished responses: at 32
        # connections the same throughput with asyncio's loop had a p99 of 172 ms against
        # uvloop's 560 ms (README "Performance").
        loop="asyncio",
        http="backend.serving:HttpProtocol",  # Nagle's algorithm off: see there
        # Slow or too many clients: see README "Slow clients".
        timeout_keep_alive=settings.timeout_keep_alive_seconds,
        limit_concurrency=settings.limit_concurrency,
        timeout_graceful_shutdown=settings.timeout_graceful_shutdown_seconds,
        h11_max_incomplete_event_size=H11_MAX_INCOMPLETE_EVENT_BYTES,
        # uvicorn would otherwise believe X-Forwarded-For/-Proto from 127.0.0.1 (or
        # FORWARDED_ALLOW_IPS) before the app sees the request: only the app's
        # NEXTHOP_TRUSTED_PROXIES decides whom to believe (backend.main).
        proxy_headers=False,
    )


@contextmanager
def stop_exits_cleanly() -> Iterator[None]:
    """SIGTERM (docker stop, systemd, Kubernetes) ends `serve` with status 0.

    With one worker, uvicorn shuts down gracefully and then raises the signal again with the
    handler it found before, so that the process ends as killed by SIGTERM: status -15 (143
    in a shell), which whoever asked for the stop reads as a failure. The handler it finds is
    this one: exit 0. (With several workers the supervising process already exits 0.) A
    SIGTERM before uvicorn takes over, while the app loads, exits 0 as well."""

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def upgrade_command(engine: Engine, settings: "Settings", *, backup: bool) -> bool:
    """Pending migrations, after a backup of a database that holds data; says what it did.
    False (with the reason on stderr) when nothing could be done safely."""
    from backend import migrations
    from backend.backups.service import BackupError
    from backend.migrations.foreign_keys import ForeignKeyViolation

    try:
        done = migrations.upgrade_with_backup(engine, settings.effective_backup_dir, backup=backup)
    except BackupError as exc:
        sys.stderr.write(
            f"nexthop: the database was not upgraded, because it could not be backed up "
            f"first: {exc}\nFix that, or take a backup yourself and run "
            f"`python -m backend migrate --no-backup`.\n"
        )
        return False
    except ForeignKeyViolation as exc:
        sys.stderr.write(f"nexthop: {exc}\n")
        return False
    if done.backup is not None:
        sys.stderr.write(f"nexthop: backed up the database to {done.backup} before upgrading it\n")
    if done.applied:
        sys.stderr.write(
            f"nexthop: database upgraded from revision {done.from_revision or '(empty)'} "
            f"to {done.to_revision}\n"
        )
    return True


def read_password() -> str:
    """From a terminal, asked twice without echo; from a pipe, the first line."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("The passwords differ.")
    return first


def admin_command(args: argparse.Namespace, settings: "Settings") -> int:
    """Account administration for servers without a browser."""
    from sqlalchemy.exc import OperationalError
    from sqlmodel import Session

    from backend.db import write_engine
    from backend.errors import ProblemError

    try:
        if args.cmd == "create-user":
            # Before the password prompt: the API's own checks of an account's email and name.
            args.email, args.name = checked_account(args.email, args.name)
        engine = _migrated_engine(settings)
    except CommandError as exc:
        sys.stderr.write(f"nexthop: {exc}\n")
        return 1
    try:
        with Session(write_engine(engine)) as session:
            return _account_command(args, session)
    except ProblemError as exc:
        sys.stderr.write(f"nexthop: {exc.detail}\n")
        return 1
    except OperationalError as exc:
        sys.stderr.write(f"nexthop: the database cannot be reached: {exc.orig}\n")
        return 1
    finally:
        engine.dispose()


def _account_command(args: argparse.Namespace, session: "Session") -> int:
    from backend.accounts import admin, service

    if args.cmd == "list-users":
        for row in service.list_users(session):
            role = "admin" if row.is_admin else "user"
            role += " (disabled)" if row.disabled_at is not None else ""
            sys.stdout.write(f"{row.id}  {row.email}  {role}  {row.display_name}\n")
        return 0
    if args.cmd in ("promote", "demote"):
        user = service.set_admin(session, email=args.email, is_admin=args.cmd == "promote")
        session.commit()
        role = "an administrator" if user.is_admin else "a plain user"
        sys.stdout.write(f"{user.email} is now {role}\n")
        return 0
    if args.cmd == "create-token":
        return create_token_command(args, session)
    password = read_password()
    if args.cmd == "create-user":
        user, promoted = service.create_user_at_console(
            session,
            email=args.email,
            password=password,
            display_name=args.name,
            is_admin=args.admin,
        )
        session.commit()
        sys.stdout.write(f"created {user.email} ({user.id})\n")
        if promoted:
            sys.stdout.write(
                f"{user.email} is an administrator, --admin or not: the instance had none, "
                "and always has one (`demote` it once another account is promoted)\n"
            )
        return 0
    user = service.find_user_by_email(session, args.email)
    admin.reset_password(session, user_id=user.id, new=password)
    session.commit()
    sys.stdout.write(f"password set for {user.email}; signed out everywhere, API tokens revoked\n")
    return 0


def create_token_command(args: argparse.Namespace, session: "Session") -> int:
    """The secret alone on standard output (for a script to keep), once; the rest on
    standard error."""
    from datetime import timedelta

    from pydantic import ValidationError

    from backend.accounts import service
    from backend.fields import utcnow
    from backend.tokens.models import TokenCreate
    from backend.tokens.service import issue_token

    if args.expires_days is not None and not 1 <= args.expires_days <= 36500:
        sys.stderr.write("nexthop: --expires-days must be from 1 to 36500.\n")
        return 1
    try:  # the checks the API makes of a name and a scope
        wanted = TokenCreate(name=args.name, scope=args.scope)
    except ValidationError as exc:
        reasons = "; ".join(f"--{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        sys.stderr.write(f"nexthop: {reasons}\n")
        return 1
    user = service.find_user_by_email(session, args.email)
    expires_at = utcnow() + timedelta(days=args.expires_days) if args.expires_days else None
    created = issue_token(
        session, user_id=user.id, name=wanted.name, scope=wanted.scope, expires_at=expires_at
    )
    session.commit()
    until = f"expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "never expires"
    sys.stderr.write(
        f"token {wanted.name!r} ({created['id']}) for {user.email}: {args.scope}, {until}. "
        "This is the only time the secret is shown.\n"
    )
    sys.stdout.write(f"{created['secret']}\n")
    return 0


class CommandError(Exception):
    """Why a command cannot run, in one line for the operator."""


MIGRATE_FIRST = "run `python -m backend migrate` (or `make migrate`) first"


def _migrated_engine(settings: "Settings") -> Engine:
    """An engine on a database whose schema is current, or CommandError saying what to run.

    An SQLite file that does not exist yet is not created (connecting would create it empty)."""
    from sqlalchemy.exc import OperationalError

    from backend import migrations
    from backend.db import make_engine, normalize_url

    url = normalize_url(settings.effective_database_url)
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        if not Path(database).is_file():
            raise CommandError(f"there is no database at {database} yet: {MIGRATE_FIRST}.")
    engine = make_engine(settings)
    try:
        migrations.ensure_current(engine)
    except migrations.SchemaOutOfDate as exc:
        engine.dispose()
        raise CommandError(str(exc)) from None
    except OperationalError as exc:
        engine.dispose()
        raise CommandError(f"the database cannot be reached: {exc.orig}") from None
    return engine


def checked_account(email: str, name: str) -> tuple[str, str]:
    """The email and display name, validated as the API validates them (backend.fields)."""
    from pydantic import TypeAdapter, ValidationError

    from backend.fields import Email, Name

    try:
        email = TypeAdapter(Email).validate_python(email)
    except ValidationError:
        raise CommandError(
            f"--email must be an email address like me@example.com (got {email!r})"
        ) from None
    try:
        name = TypeAdapter(Name).validate_python(name)
    except ValidationError:
        raise CommandError(
            f"--name must be 1 to 200 characters, not all blanks (got {name!r})"
        ) from None
    return email, name


def backup_command(args: argparse.Namespace, settings: "Settings") -> int:
    """`backup`: while the app serves, into the backup dir, oldest beyond --keep deleted.
    `restore`: into a new data dir (SQLite) or an empty PostgreSQL database."""
    from sqlalchemy.exc import SQLAlchemyError

    from backend.backups import service

    try:
        if args.cmd == "backup":
            keep = args.keep if args.keep is not None else settings.backup_keep
            if keep < 1:
                raise service.BackupError("--keep must be at least 1.")
            dest = args.to or settings.effective_backup_dir
            path = service.take_backup(settings.effective_database_url, dest, keep)
            sys.stdout.write(f"{path}\n")
        elif args.data_dir is not None:
            path = service.restore_sqlite(args.file, args.data_dir)
            sys.stdout.write(
                f"restored into {path}; serve it with NEXTHOP_DATA_DIR={args.data_dir} "
                "(`migrate` first if the backup is from an older version)\n"
            )
        else:
            service.restore_postgres(args.file, args.database_url)
            sys.stdout.write("restored; `migrate` first if the backup is from an older version\n")
    except (service.BackupError, OSError, SQLAlchemyError) as exc:
        sys.stderr.write(f"nexthop: {exc}\n")
        return 1
    return 0


def openapi_text() -> str:
    from backend.main import create_app

    return json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.exit(main())
