"""libvirt's job statistics in the shape ``migrator.virt.driver`` promises.

``virDomainGetJobStats`` already has that shape; this keeps the promised
keys, falls back to the older ``virDomainGetJobInfo`` and turns the errors
a finished or just-starting migration produces into job types, as Nova's
``Guest.get_job_info`` does.
"""
from oslo_log import log as logging

from migrator.virt import driver
from migrator.virt.libvirt import host as libvirt_host

LOG = logging.getLogger(__name__)

STATS_KEYS = frozenset((
    'type', 'time_elapsed',
    'data_total', 'data_processed', 'data_remaining',
    'memory_total', 'memory_processed', 'memory_remaining',
    'memory_bps', 'memory_dirty_rate', 'memory_page_size',
    'memory_iteration',
    'disk_total', 'disk_processed', 'disk_remaining',
    'downtime',
))

# virDomainGetJobInfo's list, in order (file_* are the disk figures).
_JOB_INFO_KEYS = ('type', 'time_elapsed', 'time_remaining',
                  'data_total', 'data_processed', 'data_remaining',
                  'memory_total', 'memory_processed', 'memory_remaining',
                  'disk_total', 'disk_processed', 'disk_remaining')

# QEMU says this between the start of a migration and its first RAM
# figures: the job is not running yet.
_NO_RAM_INFO = 'migration was active, but no RAM info was set'


def from_libvirt(stats):
    """Keep the promised keys of a ``jobStats()`` dict."""
    return {key: value for key, value in stats.items() if key in STATS_KEYS}


def from_job_info(info):
    """A ``jobInfo()`` list as a stats dict."""
    return from_libvirt(dict(zip(_JOB_INFO_KEYS, info)))


def get_job_stats(dom):
    """Job stats of ``dom``; errors that mean "done" or "not yet" become
    COMPLETED or NONE, any other libvirt error is raised."""
    lv = libvirt_host.load_libvirt()
    try:
        try:
            return from_libvirt(dom.jobStats())
        except lv.libvirtError as e:
            if not libvirt_host.is_error(e, 'VIR_ERR_NO_SUPPORT'):
                raise
            LOG.debug('jobStats is not supported; using jobInfo')
            return from_job_info(dom.jobInfo())
    except lv.libvirtError as e:
        if libvirt_host.is_error(e, 'VIR_ERR_NO_DOMAIN',
                                 'VIR_ERR_OPERATION_INVALID'):
            # The source domain went away (undefined once migrated) or
            # stopped: the job is over.
            LOG.debug('Domain gone or inactive (%s): job completed', e)
            return {'type': driver.JOB_COMPLETED}
        if _NO_RAM_INFO in str(e):
            LOG.debug('Migration starting, no RAM figures yet: %s', e)
            return {'type': driver.JOB_NONE}
        raise
