"""Guests' local root disks, as volumes of a libvirt directory pool.

The compute may talk to a remote libvirtd, so the disks are made through
libvirt's storage API, not the compute's own file system: one ``dir``
pool (``POOL``) at ``[libvirt] local_disk_dir`` as the hypervisor host
sees it, one raw volume ``<uuid>.disk`` per guest whose flavor has a root
disk. The disk starts as a copy of ``boot_image`` (uploaded through the
connection), grown to the flavor's size. The directory is local to each
host, never shared: such a guest live-migrates with block migration, the
destination preparing an empty volume of the same size that the
migration fills.
"""
import os
from xml.etree import ElementTree as etree

from oslo_log import log as logging

from migrator.virt.libvirt import host as libvirt_host

LOG = logging.getLogger(__name__)

POOL = 'migrator-local-disks'
GIB = 1024 ** 3
_CHUNK = 1024 * 1024


def volume_name(guest):
    return '%s.disk' % guest['uuid']


def wants_disk(guest, disk_dir):
    """Whether ``guest`` gets a local root disk on a host whose local disk
    directory is ``disk_dir``."""
    return bool(disk_dir) and int(guest.get('root_gb') or 0) > 0


def ensure_pool(conn, disk_dir):
    """The active pool at ``disk_dir``, defined and started if need be."""
    lv = libvirt_host.load_libvirt()
    try:
        pool = conn.storagePoolLookupByName(POOL)
    except lv.libvirtError as e:
        if not libvirt_host.is_error(e, 'VIR_ERR_NO_STORAGE_POOL'):
            raise
        pool_xml = etree.Element('pool', type='dir')
        etree.SubElement(pool_xml, 'name').text = POOL
        target = etree.SubElement(pool_xml, 'target')
        etree.SubElement(target, 'path').text = disk_dir
        pool = conn.storagePoolDefineXML(
            etree.tostring(pool_xml, encoding='unicode'), 0)
        pool.build(0)       # makes the directory if missing
        LOG.info('Defined storage pool %s at %s', POOL, disk_dir)
    if not pool.isActive():
        pool.create(0)
    return pool


def _volume_xml(name, capacity):
    vol = etree.Element('volume')
    etree.SubElement(vol, 'name').text = name
    etree.SubElement(vol, 'capacity', unit='bytes').text = str(capacity)
    etree.SubElement(vol, 'allocation', unit='bytes').text = '0'
    target = etree.SubElement(vol, 'target')
    etree.SubElement(target, 'format', type='raw')
    return etree.tostring(vol, encoding='unicode')


def find(conn, disk_dir, guest):
    """The guest's volume on this host, or None."""
    lv = libvirt_host.load_libvirt()
    pool = ensure_pool(conn, disk_dir)
    pool.refresh(0)
    try:
        return pool.storageVolLookupByName(volume_name(guest))
    except lv.libvirtError as e:
        if libvirt_host.is_error(e, 'VIR_ERR_NO_STORAGE_VOL'):
            return None
        raise


def capacity(conn, disk_dir, guest):
    """Bytes of the guest's volume on this host, or None."""
    vol = find(conn, disk_dir, guest)
    return None if vol is None else vol.info()[1]


def create(conn, disk_dir, guest, image=None, size=None):
    """Make the guest's volume (``size`` bytes, else root_gb GiB; sparse)
    and return its path as the host sees it; with ``image``, its contents
    start the disk. An existing volume of that name is kept (a retried
    preparation)."""
    vol = find(conn, disk_dir, guest)
    if vol is None:
        capacity = int(size or int(guest['root_gb']) * GIB)
        if image:
            capacity = max(capacity, os.path.getsize(image))
        vol = ensure_pool(conn, disk_dir).createXML(
            _volume_xml(volume_name(guest), capacity), 0)
        if image:
            _upload(conn, vol, image)
        LOG.info('Local disk %s of guest %s: %d bytes%s', vol.path(),
                 guest['uuid'], capacity,
                 ' from %s' % image if image else '')
    return vol.path()


def _upload(conn, vol, image):
    """Copy the file ``image`` (local to the compute) to the start of
    ``vol`` through the libvirt connection."""
    size = os.path.getsize(image)
    stream = conn.newStream(0)
    vol.upload(stream, 0, size, 0)
    with open(image, 'rb') as f:
        try:
            while True:
                chunk = f.read(_CHUNK)
                if not chunk:
                    break
                while chunk:     # send() may take part of it
                    chunk = chunk[stream.send(chunk):]
            stream.finish()
        except Exception:
            stream.abort()
            raise


def delete(conn, disk_dir, guest):
    """Remove the guest's volume from this host, if there is one."""
    vol = find(conn, disk_dir, guest)
    if vol is not None:
        vol.delete(0)
        LOG.info('Local disk of guest %s deleted', guest['uuid'])
