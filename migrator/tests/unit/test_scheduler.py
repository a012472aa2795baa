"""The conductor's scheduler: which hosts can take a flavor, and why the
others cannot."""
from migrator.conductor import scheduler
from migrator import exception
from migrator.objects import compute_node
from migrator.objects import service
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures
from migrator.tests.unit import test_objects


class TestSelectHosts(base.DBTestCase):

    def setUp(self):
        super().setUp()
        self.flags(service_down_time=60)
        self.small = test_objects._flavor(self.context, vcpus=1,
                                          memory_mb=2048, root_gb=20)

    def host(self, name, memory_mb=8192, disabled=False, service_row=True):
        compute_node.ComputeNode(
            self.context, host=name, hypervisor_hostname=name, vcpus=8,
            memory_mb=memory_mb, local_gb=100).create()
        if service_row:
            svc = service.Service(self.context, host=name,
                                  binary='migrator-compute',
                                  topic='compute', disabled=disabled,
                                  version=1)
            svc.create()
            svc.heartbeat()

    def select(self, **kw):
        return [node.host for node in scheduler.select_hosts(
            self.context, self.small, **kw)]

    def statements_of(self, call):
        with migrator_fixtures.StatementLog() as log:
            call()
        return log.statements

    def test_most_free_memory_first_and_why_the_others_fail(self):
        self.host('compute1', memory_mb=4096)
        self.host('compute2', memory_mb=16384)
        self.host('compute3', memory_mb=2048)
        test_objects._instance(self.context, host='compute3',
                               memory_mb=1024)
        self.host('compute4', disabled=True)
        self.host('compute5', service_row=False)
        self.assertEqual(['compute2', 'compute1'], self.select())
        self.assertEqual(['compute1'], self.select(exclude=['compute2']))
        error = self.assertRaises(
            exception.NoValidHost, self.select,
            exclude=['compute1', 'compute2'])
        message = error.format_message()
        self.assertIn('compute3 lacks room (memory_mb: needs 2048, free '
                      '1024)', message)
        self.assertIn('compute4', message)
        self.assertIn('compute5', message)
        # In the hosts' order.
        self.assertLess(message.index('compute3'), message.index('compute4'))
        self.assertLess(message.index('compute4'), message.index('compute5'))

    def test_the_same_queries_for_three_hosts_or_twelve(self):
        # A service, the usage and the PMEM of each host, read one host at
        # a time, made every boot and move slower with every host.
        for n in range(1, 4):
            self.host('compute%d' % n)
            test_objects._instance(self.context, host='compute%d' % n)
        test_objects._migration(self.context, source_compute='compute1',
                                dest_compute='compute2')
        three = self.statements_of(self.select)
        for n in range(4, 13):
            self.host('compute%d' % n)
            test_objects._instance(self.context, host='compute%d' % n)
        twelve = self.statements_of(self.select)
        self.assertEqual(12, len(self.select()))
        self.assertEqual(len(three), len(twelve), twelve)
