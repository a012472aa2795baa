"""End builds that nothing will finish.

A build is two casts: the API to a conductor, the conductor to the chosen
compute. A cast lost on its way (RabbitMQ restarted between the send and
its consumer's return: the queues are not durable) leaves the server
BUILDING for ever. A periodic check in every conductor ends each build
still ``scheduling`` or ``spawning`` ``[conductor] stale_build_timeout``
seconds after its last update: the server goes to ERROR with an instance
fault saying why, and the open events of its ``create`` action are
closed. The task state is compared and swapped, so a build that moves on
meanwhile is left alone.
"""
import datetime

from oslo_log import log as logging
from oslo_utils import timeutils

from migrator import exception
from migrator.objects import instance as instance_obj
from migrator.objects import instance_action
from migrator.objects import instance_fault

LOG = logging.getLogger(__name__)

BUILD_TASKS = [instance_obj.SCHEDULING, instance_obj.SPAWNING]


def expire(context, timeout):
    """End this cell's stale builds; return how many were ended."""
    cutoff = timeutils.utcnow() - datetime.timedelta(seconds=timeout)
    stale = instance_obj.InstanceList.get_by_filters(
        context, {'vm_state': instance_obj.BUILDING,
                  'task_state': BUILD_TASKS, 'changes-before': cutoff})
    ended = 0
    for instance in stale:
        why = 'still %s %d s after its last update' % (instance.task_state,
                                                       timeout)
        task_state = instance.task_state
        instance.vm_state = instance_obj.ERROR
        instance.task_state = None
        try:
            instance.save(expected_task_state=[task_state])
        except exception.UnexpectedTaskStateError:
            continue   # it moved on meanwhile
        LOG.warning('Build of %s ended (error): %s', instance.uuid, why)
        instance_fault.InstanceFault.record(
            context, instance.uuid,
            exception.BuildExpired(instance_uuid=instance.uuid, reason=why))
        instance_action.InstanceAction.close_interrupted(
            context, instance.uuid, 'create', 'expired: ' + why)
        ended += 1
    return ended
