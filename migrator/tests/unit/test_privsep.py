"""The privileged entrypoints, run in-process (privsep's client mode
off, as upstream projects test theirs): they check their arguments
themselves and run argv lists only."""
import os

import fixtures
from oslo_privsep import capabilities

import migrator.privsep
from migrator.privsep import pmem as privsep_pmem
from migrator.tests import base
from migrator.virt import pmem as virt_pmem


class InProcessPrivsep(fixtures.Fixture):
    """Entrypoints run in this process; no daemon, no sudo."""

    def _setUp(self):
        migrator.privsep.pmem_pctxt.set_client_mode(False)
        self.addCleanup(migrator.privsep.pmem_pctxt.set_client_mode, True)


class TestPrivsep(base.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(InProcessPrivsep())
        self.commands = []
        self.useFixture(fixtures.MonkeyPatch(
            'oslo_concurrency.processutils.execute', self.execute))
        self.chowned = []
        self.useFixture(fixtures.MonkeyPatch(
            'os.chown', lambda *args: self.chowned.append(args)))
        self.char_devices = {'/dev/dax0.0'}
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.privsep.pmem.is_char_device',
            lambda path: path in self.char_devices))

    def execute(self, *argv, **kwargs):
        self.commands.append(argv)
        return '[]', ''

    def test_capabilities_are_few(self):
        self.assertEqual(
            sorted([capabilities.CAP_CHOWN, capabilities.CAP_DAC_OVERRIDE,
                    capabilities.CAP_SYS_ADMIN]),
            sorted(migrator.privsep.CAPABILITIES))

    def test_options_are_in_the_sample_configuration(self):
        from migrator.conf import opts
        listed = dict(opts.list_opts())
        self.assertIn('helper_command', [
            opt.name for opt in listed['migrator_pmem_privileged']])
        self.assertEqual('migrator_pmem_privileged',
                         migrator.privsep.pmem_pctxt.cfg_section)

    def test_zero_and_give_a_device_dax_namespace(self):
        privsep_pmem.zero_devdax('/dev/dax0.0', 4096)
        privsep_pmem.zero_devdax('/dev/dax0.0')
        self.assertEqual(
            [('daxio', '-z', '-o', '/dev/dax0.0', '-l', '4096'),
             ('daxio', '-z', '-o', '/dev/dax0.0')], self.commands)
        privsep_pmem.give_devdax_to('/dev/dax0.0', 1234)
        self.assertEqual([('/dev/dax0.0', 1234, -1)], self.chowned)

    def test_anything_but_a_device_dax_device_is_refused(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        link = tmp + '/dax0.0'
        os.symlink('/dev/null', link)
        hostile = ['/dev/sda', '/dev/dax0.0/../sda', '/dev/dax0.0/',
                   '/dev/dax0.0; rm -rf /', '/dev/dax0.0\n', '$(reboot)',
                   '../dev/dax0.0', link, '/dev/dax1.0', None, 7]
        for path in hostile:
            self.assertRaises(privsep_pmem.NotADaxDevice,
                              privsep_pmem.zero_devdax, path, 4096)
            self.assertRaises(privsep_pmem.NotADaxDevice,
                              privsep_pmem.give_devdax_to, path, 0)
        self.assertRaises(ValueError, privsep_pmem.zero_devdax,
                          '/dev/dax0.0', '1; reboot')
        self.assertEqual([], self.commands)
        self.assertEqual([], self.chowned)

    def test_ndctl_through_privsep(self):
        self.assertEqual([], virt_pmem.DaxNamespaces(['L:ns0']).list())
        self.assertEqual([('ndctl', 'list', '-X')], self.commands)

    def test_compute_zeroes_device_dax_through_privsep(self):
        from migrator.compute.resize import pmem_copy
        ns = {'name': 'ns0', 'label': 'L', 'size': 2048,
              'backing': 'devdax', 'devpath': '/dev/dax0.0'}

        class Driver:
            def get_pmem_namespaces(self):
                return [dict(ns)]
        pmem_copy.zero([ns], Driver())
        self.assertEqual([('daxio', '-z', '-o', '/dev/dax0.0', '-l',
                           '2048')], self.commands)
