"""Command line: `python -m backend migrate|makemigration|openapi|serve`."""

import argparse
import json
import sys
from pathlib import Path

from alembic import command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nexthop", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("migrate", help="apply database migrations up to the newest")
    make = sub.add_parser("makemigration", help="autogenerate a migration from the models")
    make.add_argument("message")
    spec = sub.add_parser("openapi", help="write the OpenAPI schema")
    spec.add_argument("--out", type=Path, default=Path("openapi/openapi.json"))
    serve = sub.add_parser("serve", help="migrate, then serve with uvicorn")
    serve.add_argument(
        "--workers", type=int, default=1, help="API processes (stateless; share the database)"
    )
    args = parser.parse_args(argv)

    from backend import migrations
    from backend.config import Settings
    from backend.db import make_engine

    settings = Settings()
    if args.cmd == "openapi":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(openapi_text())
        return 0
    engine = make_engine(settings)
    if args.cmd == "migrate":
        migrations.upgrade(engine)
    elif args.cmd == "makemigration":
        command.revision(migrations.alembic_config(engine), message=args.message, autogenerate=True)
    elif args.cmd == "serve":
        import uvicorn

        migrations.upgrade(engine)
        engine.dispose()
        uvicorn.run(
            "backend.main:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level.lower(),
            workers=args.workers,
        )
    return 0


def openapi_text() -> str:
    from backend.main import create_app

    return json.dumps(create_app().openapi(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.exit(main())
