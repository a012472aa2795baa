import fixtures
import testtools

from migrator import exception
from migrator.tests.unit.virt.libvirt import fakelibvirt
from migrator.tests.unit.virt.libvirt import fixtures as lv_fixtures
from migrator.virt import driver
from migrator.virt.libvirt import driver as libvirt_driver
from migrator.virt.libvirt import host as libvirt_host


class LoadLibvirtTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.virt.libvirt.host.libvirt', None))

    def test_driver_builds_before_libvirt_is_needed(self):
        conf = lv_fixtures.make_conf(self)
        self.assertIsInstance(driver.load_driver('libvirt', conf),
                              libvirt_driver.LibvirtDriver)
        self.assertIsNone(libvirt_host.libvirt)

    def test_missing_libvirt_says_what_to_install(self):
        def no_libvirt(name):
            raise ImportError('No module named %r' % name)
        self.useFixture(fixtures.MonkeyPatch(
            'importlib.import_module', no_libvirt))
        e = self.assertRaises(exception.DriverError,
                              libvirt_host.load_libvirt)
        self.assertIn('libvirt-dev', str(e))
        self.assertIn('migrator[libvirt]', str(e))

    def test_import_registers_the_error_handler(self):
        fakelibvirt.reset()
        self.addCleanup(fakelibvirt.reset)
        self.useFixture(fixtures.MonkeyPatch(
            'importlib.import_module', lambda name: fakelibvirt))
        self.assertIs(fakelibvirt, libvirt_host.load_libvirt())
        self.assertIsNotNone(fakelibvirt.error_handler)


class HostTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.lv = self.useFixture(lv_fixtures.FakeLibvirt())

    def test_connection_is_shared_and_reopened_when_dead(self):
        host = libvirt_host.Host(lv_fixtures.SOURCE_URI)
        conn = host.get_connection()
        self.assertIs(conn, host.get_connection())
        conn.closed = True
        self.assertIsNot(conn, host.get_connection())

    def test_unreachable_host(self):
        host = libvirt_host.Host('qemu+tcp://nowhere/system')
        self.assertRaises(exception.HypervisorUnavailable,
                          host.get_connection)

    def test_lookup_absent_is_none(self):
        host = libvirt_host.Host(lv_fixtures.SOURCE_URI)
        self.assertIsNone(host.lookup('nope'))
