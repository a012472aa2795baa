"""Record each step of a workflow as an event of the instance's action.

``@wrap_instance_event(prefix='compute')`` on a method taking
``(self, context, instance, ...)`` records an event named
``'<prefix>_<method name>'`` under the action that the request
(``context.request_id``) started: its start and finish time, and on an
exception the result 'Error' with the message as details and the
traceback. The exception is re-raised; recording never hides it.
"""
import contextlib
import functools
import inspect
import sys

from oslo_log import log as logging

from migrator import exception
from migrator.objects import instance_action

LOG = logging.getLogger(__name__)


def _instance_uuid(instance):
    return instance['uuid'] if isinstance(instance, dict) else instance.uuid


def wrap_instance_event(prefix):
    def decorator(function):
        event_name = '%s_%s' % (prefix, function.__name__)
        signature = inspect.signature(function)

        @functools.wraps(function)
        def wrapper(self, context, *args, **kwargs):
            bound = signature.bind(self, context, *args, **kwargs)
            with recorded(context, bound.arguments['instance'], event_name,
                          getattr(self, 'host', None)):
                return function(self, context, *args, **kwargs)
        return wrapper
    return decorator


@contextlib.contextmanager
def recorded(context, instance, event_name, host=None):
    """Record the ``with`` block as ``event_name`` of the instance action
    that ``context``'s request started (see the module docstring)."""
    uuid = _instance_uuid(instance)
    started = _start(context, uuid, event_name, host)
    try:
        yield
    except Exception as exc:
        if started:
            _finish(context, uuid, event_name, host, exc, sys.exc_info()[2])
        raise
    if started:
        _finish(context, uuid, event_name, host)


def _start(context, uuid, event_name, host):
    try:
        instance_action.InstanceActionEvent.event_start(
            context, uuid, event_name, host=host)
        return True
    except exception.InstanceActionNotFound:
        # Work not started by a recorded request (e.g. a periodic task).
        LOG.debug('No action for request %s on %s: event %s not recorded',
                  context.request_id, uuid, event_name)
        return False


def _finish(context, uuid, event_name, host, exc=None, exc_tb=None):
    try:
        instance_action.InstanceActionEvent.event_finish(
            context, uuid, event_name, exc_val=exc, exc_tb=exc_tb,
            host=host)
    except Exception:
        # Never let bookkeeping replace the workflow's own outcome.
        LOG.exception('Could not record the end of event %s on %s',
                      event_name, uuid)
