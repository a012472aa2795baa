"""PMEM vocabulary (Nova's pmem_namespaces format, hw:pmem) and the two
namespace backings drivers report through."""
import json
import os

import fixtures

from migrator import pmem
from migrator.tests import base
from migrator.virt.libvirt import guest_config
from migrator.virt import pmem as virt_pmem


class TestConfigFormat(base.TestCase):

    def test_nova_format(self):
        self.assertEqual(
            [('128G', 'ns0'), ('128G', 'ns1'), ('MEDIUM', 'ns2')],
            pmem.parse_namespaces(['128G:ns0|ns1', 'MEDIUM:ns2']))
        self.assertEqual([], pmem.parse_namespaces([]))

    def test_bad_items(self):
        for bad in (['ns0'], ['L:'], [':ns0'], ['L:ns0|'], ['L:a', 'M:a']):
            self.assertRaises(pmem.InvalidPmemConfig,
                              pmem.parse_namespaces, bad)

    def test_sizes_and_specs(self):
        self.assertEqual(128 * 1024 ** 3, pmem.size_of_label('128G'))
        self.assertEqual(6 * 1024 ** 3, pmem.size_of_label('6GB'))
        self.assertEqual(256 * 1024 ** 2, pmem.size_of_label('256MiB'))
        self.assertIsNone(pmem.size_of_label('LARGE'))
        self.assertEqual(['6GB', 'LARGE'],
                         pmem.requested_labels({'hw:pmem': '6GB,LARGE'}))
        self.assertEqual([], pmem.requested_labels({}))
        self.assertIsNone(pmem.lacking(['A', 'A'], {'A': 2}))
        self.assertEqual('pmem A: needs 2, free 1',
                         pmem.lacking(['A', 'A'], {'A': 1}))


class TestFileNamespaces(base.TestCase):

    def test_files_of_their_size_kept_across_restarts(self):
        root = self.useFixture(fixtures.TempDir()).path
        ns = virt_pmem.FileNamespaces(os.path.join(root, 'h'),
                                      ['1M:a|b', 'SMALL:c'], 4096)
        ns.prepare()
        listed = ns.list()
        self.assertEqual([('a', 1024 * 1024), ('b', 1024 * 1024),
                          ('c', 4096)],
                         [(n['name'], n['size']) for n in listed])
        self.assertEqual({'file'}, {n['backing'] for n in listed})
        with open(listed[0]['devpath'], 'r+b') as f:
            f.write(b'data')
        ns.prepare()
        with open(listed[0]['devpath'], 'rb') as f:
            self.assertEqual(b'data', f.read(4))


class TestDaxNamespaces(base.TestCase):

    def test_found_with_ndctl(self):
        ndctl = [{'dev': 'namespace0.0', 'mode': 'devdax', 'name': 'ns0',
                  'size': 2 * 1024 ** 3,
                  'daxregion': {'id': 0, 'devices': [
                      {'chardev': 'dax0.0', 'size': 2 * 1024 ** 3}]}},
                 {'dev': 'namespace0.1', 'mode': 'fsdax', 'name': 'other'}]
        calls = []

        def execute(*argv):
            calls.append(argv)
            return json.dumps(ndctl), ''
        ns = virt_pmem.DaxNamespaces(['2G:ns0|missing'], execute=execute)
        self.assertEqual(
            [{'name': 'ns0', 'label': '2G', 'size': 2 * 1024 ** 3,
              'devpath': '/dev/dax0.0', 'backing': 'devdax'}], ns.list())
        self.assertEqual([('ndctl', 'list', '-X')], calls)


class TestGuestXML(base.TestCase):

    def test_nvdimm_per_namespace(self):
        xml = guest_config.domain_xml(
            {'name': 'g', 'uuid': 'u', 'memory_mb': 512, 'vcpus': 2,
             'pmem': [{'name': 'ns0', 'label': 'L', 'size': 2 * 1024 ** 3,
                       'devpath': '/dev/dax0.0', 'backing': 'devdax'}]},
            'kvm')
        self.assertIn('<memory model="nvdimm" access="shared">', xml)
        self.assertIn('<path>/dev/dax0.0</path>', xml)
        self.assertIn('<pmem />', xml)
        self.assertIn('<maxMemory slots="1"', xml)
        self.assertNotIn('nvdimm', guest_config.domain_xml(
            {'name': 'g', 'uuid': 'u', 'memory_mb': 512, 'vcpus': 1},
            'kvm'))
