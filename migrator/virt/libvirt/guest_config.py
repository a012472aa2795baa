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


def domain_xml(guest, virt_type, boot_image=None):
    """Domain XML (a str) for ``guest`` of domain type ``virt_type``."""
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

    _sub(domain, 'on_poweroff', 'destroy')
    _sub(domain, 'on_reboot', 'restart')
    _sub(domain, 'on_crash', 'destroy')

    devices = _sub(domain, 'devices')
    if boot_image:
        disk = _sub(devices, 'disk', type='file', device='disk')
        _sub(disk, 'driver', name='qemu', type='raw')
        _sub(disk, 'source', file=boot_image)
        _sub(disk, 'target', dev='vda', bus='virtio')
        _sub(disk, 'readonly')
    if virt_type != 'test':
        _sub(devices, 'controller', type='usb', model='none')
        _sub(devices, 'memballoon', model='none')
    return etree.tostring(domain, encoding='unicode')
