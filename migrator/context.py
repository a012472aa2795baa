"""The request context every layer passes along, and that crosses RPC.

It carries who is asking (user, project, roles), which request it belongs
to (its id keys the instance action the request records), and which cell
database the caller is working in.
"""
import contextlib
import copy

from oslo_context import context as oslo_context
from oslo_db.sqlalchemy import enginefacade


@enginefacade.transaction_context_provider
class RequestContext(oslo_context.RequestContext):

    def __init__(self, user_id=None, project_id=None, roles=None,
                 is_admin=None, read_deleted='no', cell_uuid=None,
                 **kwargs):
        kwargs.setdefault('user_id', user_id)
        kwargs.setdefault('project_id', project_id)
        kwargs.setdefault('roles', list(roles or []))
        super().__init__(is_admin=bool(is_admin), **kwargs)
        if is_admin is None:
            self.is_admin = 'admin' in [r.lower() for r in self.roles]
        self.read_deleted = read_deleted
        # The cell whose database (and message queue) this context works
        # in; None means the default cell of this service's config.
        self.cell_uuid = cell_uuid

    @property
    def read_deleted(self):
        return self._read_deleted

    @read_deleted.setter
    def read_deleted(self, value):
        if value not in ('no', 'yes', 'only'):
            raise ValueError('read_deleted must be no, yes or only, not %r'
                             % value)
        self._read_deleted = value

    def to_dict(self):
        values = super().to_dict()
        values.update(read_deleted=self.read_deleted,
                      cell_uuid=self.cell_uuid,
                      user_id=self.user_id,
                      project_id=self.project_id)
        return values

    @classmethod
    def from_dict(cls, values):
        return super().from_dict(
            values,
            user_id=values.get('user_id'),
            project_id=values.get('project_id'),
            read_deleted=values.get('read_deleted', 'no'),
            cell_uuid=values.get('cell_uuid'),
            is_admin=values.get('is_admin'))

    @property
    def project_scoped(self):
        """Whether this caller sees only its own project's servers when
        looking one up (Nova's ``is_user_context``): not an admin, and
        asking as a user of a project."""
        return not self.is_admin and bool(self.user_id) and \
            bool(self.project_id)

    def elevated(self, read_deleted=None):
        """A copy of this context with the admin role."""
        ctx = copy.copy(self)
        ctx.roles = list(self.roles)
        ctx.is_admin = True
        if 'admin' not in ctx.roles:
            ctx.roles.append('admin')
        if read_deleted is not None:
            ctx.read_deleted = read_deleted
        return ctx

    @contextlib.contextmanager
    def temporary_read_deleted(self, value):
        previous = self.read_deleted
        self.read_deleted = value
        try:
            yield self
        finally:
            self.read_deleted = previous


def get_admin_context(read_deleted='no'):
    return RequestContext(user_id=None, project_id=None, roles=['admin'],
                          is_admin=True, read_deleted=read_deleted,
                          overwrite=False)


def get_context():
    """A fresh non-admin context, for internal work with no caller."""
    return RequestContext(user_id=None, project_id=None, is_admin=False,
                          overwrite=False)


@contextlib.contextmanager
def target_cell(ctxt, cell_mapping):
    """Work in ``cell_mapping``'s database inside the ``with`` block."""
    previous = ctxt.cell_uuid
    ctxt.cell_uuid = cell_mapping.uuid if cell_mapping else None
    try:
        yield ctxt
    finally:
        ctxt.cell_uuid = previous
