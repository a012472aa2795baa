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
