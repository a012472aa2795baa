"""Schema migrations (Alembic) for the API database and cell databases."""
import os

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration as alembic_migration
from alembic import script as alembic_script

from migrator.db import session

SCHEMAS = ('api', 'main')


def _config(schema, connection):
    if schema not in SCHEMAS:
        raise ValueError('schema must be one of %s' % ', '.join(SCHEMAS))
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', os.path.join(
        os.path.dirname(__file__), schema, 'migrations'))
    cfg.attributes['connection'] = connection
    return cfg


def _engine(schema, url):
    if schema == 'api' and url is None:
        return session.api_engine()
    return session.engine_for(url)


def db_sync(schema, url=None, version=None):
    """Upgrade ``schema`` (at ``url``, default: the configured one) to
    ``version`` (default: the newest). Running it twice changes nothing."""
    engine = _engine(schema, url)
    with engine.begin() as connection:
        alembic_command.upgrade(_config(schema, connection),
                                version or 'head')


def db_version(schema, url=None):
    """The revision the database is at, or None before the first sync."""
    engine = _engine(schema, url)
    with engine.connect() as connection:
        return alembic_migration.MigrationContext.configure(
            connection).get_current_revision()


def head_version(schema):
    cfg = _config(schema, None)
    return alembic_script.ScriptDirectory.from_config(cfg).get_current_head()
