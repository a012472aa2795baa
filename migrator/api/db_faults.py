"""The API when a database is down or missing: a fast 503.

A request must not wait for a database that is not there: the API's
engines try once (``[database]`` and ``[api_database]`` ``max_retries``
default to 0 in the API processes, instead of oslo.db's 10 tries 10 s
apart), and a connection failure or a database that does not exist is
answered ``503 serviceUnavailable`` in Nova's body, with one log line and
no traceback. The services (conductor, computes) keep oslo.db's retries:
they reconnect by themselves.
"""
from oslo_db import exception as db_exc
from oslo_log import log as logging
from sqlalchemy import exc as sa_exc

LOG = logging.getLogger(__name__)

UNAVAILABLE = (db_exc.DBConnectionError, db_exc.DBNonExistentDatabase)
MESSAGE = ('The database is unavailable; the request was not carried out. '
           'Retry later.')


def set_api_defaults(conf):
    """Let an API request fail at once when its database is down."""
    for group in ('database', 'api_database'):
        conf.set_default('max_retries', 0, group=group)


# The client libraries' codes for "no connection" (PyMySQL: can't
# connect, server gone away, lost connection during a query, and the
# server refusing a new connection: too many connections, too many for
# the user -- a full server, which a retry later may find free).
_MYSQL_CONNECTION_CODES = (2003, 2006, 2013, 2055, 1040, 1203)
# PostgreSQL's SQLSTATE for "sorry, too many clients already".
_PG_TOO_MANY_CONNECTIONS = '53300'


def is_unavailable(exc):
    return isinstance(exc, UNAVAILABLE) or _lost_connection(exc)


def _lost_connection(exc):
    """A connection failure oslo.db did not translate: SQLAlchemy raises
    it bare when the pool re-connects after the server restarted (seen
    with psycopg2: "Connection refused" under InvalidatePoolError)."""
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    orig = exc.orig
    if not isinstance(exc, sa_exc.OperationalError) or orig is None:
        return False
    if hasattr(orig, 'pgcode'):
        # psycopg2: an error of the server has a SQLSTATE; a connection
        # that could not be made or was lost has none.
        return orig.pgcode in (None, _PG_TOO_MANY_CONNECTIONS)
    args = getattr(orig, 'args', ())
    return bool(args) and args[0] in _MYSQL_CONNECTION_CODES


def describe(exc):
    """One line saying what failed, for the log."""
    inner = getattr(exc, 'inner_exception', None) or exc
    text = str(getattr(inner, 'orig', None) or inner).strip()
    return (text.splitlines() or [type(exc).__name__])[0]
