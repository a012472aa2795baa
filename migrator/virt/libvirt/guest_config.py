"""The domain XML of a guest, from the driver's plain ``guest`` dict.

Deliberately minimal: no NIC, no CPU element (``host-model`` fails to start
on some KVM hosts), libvirt's default emulator and machine type, and at
most one read-only boot disk, so that the guest live-migrates without
shared storage.
"""
from xml.etree import ElementTree as etree


def _sub(parent, tag, text=None, **attrs):
    element = etree.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = str(text)
    return element


def domain_xml(guest, virt_type, boot_image=None, console_log_dir=None,
               local_disk=None):
    """Domain XML (a str) for ``guest`` of domain type ``virt_type``;
    with ``console_log_dir``, a serial port written to
    ``<console_log_dir>/<uuid>.log``; with ``local_disk`` (a path on the
    host), the guest boots from that writable disk instead of the
    read-only ``boot_image``."""
    domain = etree.Element('domain', type=virt_type)
    _sub(domain, 'name', guest['name'])
    _sub(domain, 'uuid', guest['uuid'])
    _sub(domain, 'memory', int(guest['memory_mb']), unit='MiB')
    _sub(domain, 'vcpu', int(guest['vcpus']))

    os_element = _sub(domain, 'os')
    if virt_type == 'test':
        # The test driver emulates an i686 host and rejects other arches.
        _sub(os_element, 'type', 'hvm')
    else:
        _sub(os_element, 'type', 'hvm', arch='x86_64')
        _sub(os_element, 'boot', dev='hd')
        _sub(_sub(domain, 'features'), 'acpi')
        _sub(domain, 'clock', offset='utc')

    pmem = guest.get('pmem') or []
    if pmem and virt_type != 'test':
        _pmem_memory(domain, guest, pmem)

    _sub(domain, 'on_poweroff', 'destroy')
    _sub(domain, 'on_reboot', 'restart')
    _sub(domain, 'on_crash', 'destroy')

    devices = _sub(domain, 'devices')
    if local_disk or boot_image:
        disk = _sub(devices, 'disk', type='file', device='disk')
        _sub(disk, 'driver', name='qemu', type='raw')
        _sub(disk, 'source', file=local_disk or boot_image)
        _sub(disk, 'target', dev='vda', bus='virtio')
        if not local_disk:
            _sub(disk, 'readonly')
    if pmem and virt_type != 'test':
        for ns in pmem:
            _nvdimm(devices, ns)
    if console_log_dir and virt_type != 'test':
        serial = _sub(devices, 'serial', type='file')
        _sub(serial, 'source', append='on',
             path='%s/%s.log' % (console_log_dir.rstrip('/'), guest['uuid']))
        _sub(serial, 'target', port='0')
    if virt_type != 'test':
        _sub(devices, 'controller', type='usb', model='none')
        _sub(devices, 'memballoon', model='none')
    return etree.tostring(domain, encoding='unicode')


def _pmem_memory(domain, guest, pmem):
    """vNVDIMMs need memory hot-plug slots and one guest NUMA cell."""
    total_kib = int(guest['memory_mb']) * 1024 + sum(
        ns['size'] // 1024 for ns in pmem)
    _sub(domain, 'maxMemory', total_kib, slots=str(len(pmem)), unit='KiB')
    cpu = _sub(domain, 'cpu')
    numa = _sub(cpu, 'numa')
    _sub(numa, 'cell', id='0', cpus='0-%d' % (int(guest['vcpus']) - 1),
         memory=str(int(guest['memory_mb'])), unit='MiB')


def _nvdimm(devices, ns):
    """One namespace as a vNVDIMM: a device-dax device, or a file as the
    memory backing file."""
    memory = _sub(devices, 'memory', model='nvdimm', access='shared')
    source = _sub(memory, 'source')
    _sub(source, 'path', ns['devpath'])
    if ns['backing'] == 'devdax':
        _sub(source, 'alignsize', 2048, unit='KiB')
        _sub(source, 'pmem')
    target = _sub(memory, 'target')
    _sub(target, 'size', ns['size'] // 1024, unit='KiB')
    _sub(target, 'node', 0)
    label = _sub(target, 'label')
    _sub(label, 'size', 128, unit='KiB')
