"""A conductor workflow: ``execute()`` the steps, ``rollback()`` on failure.

``run()`` executes; if any step raises, it rolls back what was done and
re-raises, so a caller sees the original error and nothing is left
half-done. With an event name, the steps are recorded as that event of the
request's instance action, and the rollback comes after the event was
recorded: whoever sees the instance restored also sees why.
"""
import contextlib

from oslo_log import log as logging
from oslo_utils import excutils

from migrator import instance_events

LOG = logging.getLogger(__name__)


class TaskBase:
    def __init__(self, context, instance):
        self.context = context
        self.instance = instance

    def run(self, event_name=None, host=None):
        recorder = (instance_events.recorded(self.context, self.instance,
                                             event_name, host)
                    if event_name else contextlib.nullcontext())
        try:
            with recorder:
                return self._execute()
        except Exception as exc:
            with excutils.save_and_reraise_exception():
                LOG.info('%s of instance %s failed: %s; rolling back',
                         type(self).__name__, self.instance.uuid, exc)
                try:
                    self.rollback(exc)
                except Exception:
                    LOG.exception('Rollback of %s failed',
                                  type(self).__name__)

    def _execute(self):
        raise NotImplementedError()

    def rollback(self, exc):
        """Undo what ``_execute`` did; ``exc`` is why."""
