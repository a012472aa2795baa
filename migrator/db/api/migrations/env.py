"""Alembic environment of the api database schema."""
from alembic import context

from migrator.db.api import models

target_metadata = models.BASE.metadata


def run_migrations():
    connection = context.config.attributes['connection']
    context.configure(
        connection=connection, target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == 'sqlite',
        compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
