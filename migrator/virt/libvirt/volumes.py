"""Volumes of libvirt guests: attach and detach a volume file as a
virtio disk, and swap it for another while the guest runs with a block
copy: ``blockCopy`` into the new (pre-created) file, ``blockJobInfo``
polled for progress (cur/end), and a pivot (``blockJobAbort`` with
PIVOT) once the copy is in sync, as Nova's swap_volume does.

The guests are persistent (defined): libvirt refuses a block copy of a
persistent domain's disk unless the job is marked transient
(TRANSIENT_JOB, libvirt >= 6.0 with -blockdev); after the pivot libvirt
points the persistent definition at the new file too. (Nova undefines the
domain for the copy instead.)"""
import time
from xml.etree import ElementTree
from xml.sax import saxutils

from oslo_log import log as logging

from migrator import exception
from migrator.virt.libvirt import host as libvirt_host

LOG = logging.getLogger(__name__)

# libvirt's values, used when the binding lacks a name (old builds).
AFFECT_LIVE = 1
AFFECT_CONFIG = 2
BLOCK_COPY_REUSE_EXT = 2
BLOCK_COPY_TRANSIENT_JOB = 4
BLOCK_JOB_ABORT_PIVOT = 2

POLL_INTERVAL = 0.5


def target_dev(mountpoint):
    """'/dev/vdb' -> 'vdb'."""
    return (mountpoint or '').rsplit('/', 1)[-1]


def disk_xml(path, dev):
    return ("<disk type='file' device='disk'><driver name='qemu' "
            "type='raw' cache='none'/><source file=%s/><target dev=%s "
            "bus='virtio'/></disk>" % (saxutils.quoteattr(path),
                                       saxutils.quoteattr(dev)))


def copy_dest_xml(path):
    return ("<disk type='file'><driver name='qemu' type='raw'/>"
            "<source file=%s/></disk>" % saxutils.quoteattr(path))


def _const(name, default):
    return getattr(libvirt_host.load_libvirt(), name, default)


def _affect_flags(dom):
    flags = _const('VIR_DOMAIN_AFFECT_CONFIG', AFFECT_CONFIG)
    if dom.isActive():
        flags |= _const('VIR_DOMAIN_AFFECT_LIVE', AFFECT_LIVE)
    return flags


def has_disk(dom, mountpoint):
    """Whether the domain (its persistent definition, or the running one)
    has a disk at ``mountpoint``: a live migration carries the disks in
    the domain XML."""
    dev = target_dev(mountpoint)
    for flags in (0, _const('VIR_DOMAIN_XML_INACTIVE', 2)):
        try:
            root = ElementTree.fromstring(dom.XMLDesc(flags))
        except Exception:
            continue
        for disk in root.iter('disk'):
            target = disk.find('target')
            if target is not None and target.get('dev') == dev:
                return True
    return False


def attach(dom, path, mountpoint):
    dom.attachDeviceFlags(disk_xml(path, target_dev(mountpoint)),
                          _affect_flags(dom))


def detach(dom, path, mountpoint):
    dom.detachDeviceFlags(disk_xml(path, target_dev(mountpoint)),
                          _affect_flags(dom))


def swap(dom, new_path, mountpoint, on_percent, cancel=None,
         poll_interval=POLL_INTERVAL, sleep=time.sleep, bandwidth_mib=0):
    """Block-copy the disk at ``mountpoint`` into ``new_path`` and pivot
    the guest onto it. ``on_percent`` gets cur/end as a percent that never
    goes back, 100 only once pivoted. On failure or ``cancel`` the job is
    aborted without pivot: the guest stays on its old disk.
    ``bandwidth_mib`` caps the copy (MiB/s; 0: as fast as it goes)."""
    lv = libvirt_host.load_libvirt()
    dev = target_dev(mountpoint)
    params = {}
    if bandwidth_mib:
        params[_const('VIR_DOMAIN_BLOCK_COPY_BANDWIDTH', 'bandwidth')] = \
            int(bandwidth_mib) * 1024 * 1024
    dom.blockCopy(dev, copy_dest_xml(new_path), params,
                  _const('VIR_DOMAIN_BLOCK_COPY_REUSE_EXT',
                         BLOCK_COPY_REUSE_EXT) |
                  _const('VIR_DOMAIN_BLOCK_COPY_TRANSIENT_JOB',
                         BLOCK_COPY_TRANSIENT_JOB))
    reported = -1
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise exception.DriverError(
                    reason='the swap of %s was cancelled' % dev)
            info = dom.blockJobInfo(dev, 0)
            if not info:
                raise exception.DriverError(
                    reason='the block copy of %s ended before it was in '
                           'sync' % dev)
            cur, end = info.get('cur', 0), info.get('end', 0)
            if end:
                percent = min(99, cur * 100 // end)
                if percent > reported:
                    reported = percent
                    on_percent(percent)
                if cur == end:
                    break
            sleep(poll_interval)
    except Exception:
        try:
            dom.blockJobAbort(dev, 0)
        except lv.libvirtError:
            LOG.warning('Could not abort the block copy of %s', dev,
                        exc_info=True)
        raise
    dom.blockJobAbort(dev, _const('VIR_DOMAIN_BLOCK_JOB_ABORT_PIVOT',
                                  BLOCK_JOB_ABORT_PIVOT))
    on_percent(100)
