"""A conductor workflow: ``execute()`` the steps, ``rollback()`` on failure.

``run()`` executes; if any step raises, it rolls back what was done and
re-raises, so a caller sees the original error and nothing is left
half-done.
"""
from oslo_log import log as logging
from oslo_utils import excutils

LOG = logging.getLogger(__name__)


class TaskBase:
    def __init__(self, context, instance):
        self.context = context
        self.instance = instance

    def run(self):
        try:
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
