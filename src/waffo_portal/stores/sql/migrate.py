"""Schema upgrades with the Alembic scripts shipped inside the package.

No ``alembic.ini`` is needed: the script location is this package's
``migrations`` directory, and the version table is ``waffo_portal_alembic_version``
so the portal's history never mixes with the merchant's own Alembic history.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL

from .engine import build_engine

SCRIPT_LOCATION = Path(__file__).resolve().parent.parent / "migrations"
VERSION_TABLE = "waffo_portal_alembic_version"


def alembic_config(engine: Engine) -> Config:
    """An in-memory Alembic config; ``migrations/env.py`` reads the engine from it."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["engine"] = engine
    return config


def migrate(url_or_engine: str | URL | Engine, revision: str = "head") -> None:
    """Upgrade the database in place to ``revision`` (default: the newest). Idempotent."""
    if isinstance(url_or_engine, Engine):
        command.upgrade(alembic_config(url_or_engine), revision)
        return
    engine = build_engine(url_or_engine)
    try:
        command.upgrade(alembic_config(engine), revision)
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None if it was never migrated."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()
