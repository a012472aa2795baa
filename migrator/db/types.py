"""Column types and mixins shared by the API and cell schemas."""
from oslo_utils import timeutils
import sqlalchemy as sa
from sqlalchemy import orm


class TimestampMixin:
    created_at = sa.Column(sa.DateTime, default=timeutils.utcnow)
    updated_at = sa.Column(sa.DateTime, onupdate=timeutils.utcnow)


class SoftDeleteMixin:
    # Nova's convention: a live row has deleted=0, a deleted one deleted=id,
    # so that unique constraints that include `deleted` admit re-creation.
    deleted_at = sa.Column(sa.DateTime)
    deleted = sa.Column(sa.Integer, default=0, nullable=False)


class ModelBase:
    """Dict-like access, which the objects layer uses to copy rows."""

    def __getitem__(self, key):
        return getattr(self, key)

    def get(self, key, default=None):
        return getattr(self, key, default)

    def update(self, values):
        for key, value in values.items():
            setattr(self, key, value)


def declarative_base():
    return orm.declarative_base(cls=ModelBase)
