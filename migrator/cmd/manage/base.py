"""What every migrator-manage command shares: the decorators that declare
a command and its arguments, exit codes, the one-line failure
(``CommandFailed``) and the guard that turns a database failure into one."""
import functools
import re
from urllib import parse as urlparse

from oslo_config import cfg
from oslo_db import exception as db_exc
from oslo_utils import strutils
import prettytable
import sqlalchemy as sa

from migrator import exception

CONF = cfg.CONF


# Exit codes shared by every command (cell_v2 commands add Nova's own).
SUCCESS = 0
FAILURE = 1
UNEXPECTED = 255


def args(*flags, **kwargs):
    """Declare one argparse argument of a command (decorator)."""
    def decorate(func):
        func.__dict__.setdefault('args', []).insert(0, (flags, kwargs))
        return func
    return decorate


def action(name):
    """Expose a method as the command ``name`` of its category."""
    def decorate(func):
        func.action_name = name
        return func
    return decorate


def _url_passwords(url):
    """The passwords in ``url`` as SQLAlchemy and oslo.messaging read it
    (they may hold '/', '@' or ':'), raw and percent-encoded."""
    found = set()
    try:
        found.add(sa.engine.make_url(url).password)
    except Exception:
        pass
    try:
        from oslo_messaging import transport
        found.update(h.password for h in
                     transport.TransportURL.parse(CONF, url).hosts)
    except Exception:
        pass
    forms = set()
    for password in found:
        if password:
            password = str(password)
            forms.update((password, urlparse.quote(password, safe=''),
                          urlparse.quote(password)))
    return sorted(forms, key=len, reverse=True)


def mask_password(url):
    """``url`` with the password of each ``user:password@`` replaced, and
    any ``password=...`` parameter masked by oslo.utils."""
    if not url:
        return url
    for password in _url_passwords(url):
        url = url.replace(':%s@' % password, ':****@')
    return strutils.mask_password(
        re.sub(r'([/,][^:/@,]*):([^@/]+)@', r'\1:****@', url))


def print_table(field_names, rows):
    table = prettytable.PrettyTable(field_names)
    table.align = 'l'
    for row in rows:
        table.add_row(row)
    print(table)


class CommandFailed(Exception):
    """A command cannot go on; the message is printed and ``code`` is the
    exit code."""

    def __init__(self, message, code=FAILURE):
        super().__init__(message)
        self.code = code


def db_guard(group, code=FAILURE):
    """Turn a failure to reach the database of ``[group] connection`` into
    one line that names the setting (exit ``code``)."""
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*a, **kw):
            try:
                return func(*a, **kw)
            except exception.ConfigurationError as exc:
                raise CommandFailed(exc.format_message(), code=2)
            except (db_exc.DBError, sa.exc.OperationalError,
                    sa.exc.ArgumentError, sa.exc.NoSuchModuleError,
                    ImportError) as exc:
                connection = getattr(getattr(CONF, group), 'connection')
                raise CommandFailed(
                    'cannot use [%s] connection %s: %s' % (
                        group, mask_password(connection),
                        first_line(exc)), code=code)
        return wrapper
    return decorate


def first_line(exc):
    text = str(getattr(exc, 'inner_exception', None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
