"""The serial console of a guest's domain XML."""
from xml.etree import ElementTree as etree

from migrator.tests import base
from migrator.virt.libvirt import guest_config

GUEST = {'name': 'g', 'uuid': '6b1c2a43-0d1e-4a8f-9b33-1234567890ab',
         'memory_mb': 512, 'vcpus': 1}


class TestConsoleLog(base.TestCase):

    def test_serial_port_written_to_a_file_per_guest(self):
        dom = etree.fromstring(guest_config.domain_xml(
            GUEST, 'kvm', console_log_dir='/var/log/libvirt/qemu/'))
        serial = dom.find('devices/serial')
        self.assertEqual('file', serial.get('type'))
        self.assertEqual(
            {'path': '/var/log/libvirt/qemu/%s.log' % GUEST['uuid'],
             'append': 'on'}, serial.find('source').attrib)

    def test_no_serial_port_by_default(self):
        for virt_type in ('kvm', 'test'):
            dom = etree.fromstring(guest_config.domain_xml(
                GUEST, virt_type))
            self.assertIsNone(dom.find('devices/serial'))

    def test_no_serial_port_on_the_test_driver(self):
        dom = etree.fromstring(guest_config.domain_xml(
            GUEST, 'test', console_log_dir='/tmp'))
        self.assertIsNone(dom.find('devices/serial'))


class TestBootDisk(base.TestCase):

    def _disk(self, **kwargs):
        dom = etree.fromstring(guest_config.domain_xml(GUEST, 'kvm',
                                                       **kwargs))
        return dom.findall('devices/disk')

    def test_boot_image_is_read_only(self):
        disk, = self._disk(boot_image='/srv/boot.img')
        self.assertEqual('/srv/boot.img', disk.find('source').get('file'))
        self.assertIsNotNone(disk.find('readonly'))

    def test_local_disk_replaces_the_boot_image_and_is_writable(self):
        disk, = self._disk(boot_image='/srv/boot.img',
                           local_disk='/var/lib/libvirt/images/u.disk')
        self.assertEqual('/var/lib/libvirt/images/u.disk',
                         disk.find('source').get('file'))
        self.assertEqual('vda', disk.find('target').get('dev'))
        self.assertIsNone(disk.find('readonly'))
