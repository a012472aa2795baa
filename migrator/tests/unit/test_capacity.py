"""capacity.host_usage: what a host holds and what is coming to it."""

from migrator import capacity
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures
from migrator.tests.unit import test_objects


class TestHostUsage(base.DBTestCase):

    def setUp(self):
        super().setUp()
        self.small = self._flavor('m1.small', '2', vcpus=1, memory_mb=2048,
                                  root_gb=20)
        self.large = self._flavor('m1.large', '4', vcpus=4, memory_mb=8192,
                                  root_gb=80)
        # compute2's own server.
        self._instance('compute2', self.small, vcpus=2, memory_mb=1024,
                       root_gb=10)

    def _flavor(self, name, flavorid, **kw):
        return test_objects._flavor(self.context, name=name,
                                    flavorid=flavorid, **kw)

    def _instance(self, host, flavor, **kw):
        """A server of ``flavor`` on ``host``, its usage columns the
        flavor's unless ``kw`` says otherwise."""
        values = dict(host=host, node=host, vcpus=flavor.vcpus,
                      memory_mb=flavor.memory_mb, root_gb=flavor.root_gb,
                      instance_type_id=flavor.id, flavor=flavor)
        values.update(kw)
        return test_objects._instance(self.context, **values)

    def _coming(self, flavor=None, new_flavor=None, status='running',
                kind='live-migration'):
        """A server on compute1 on its way to compute2."""
        inst = self._instance('compute1', flavor or self.small)
        test_objects._migration(
            self.context, instance_uuid=inst.uuid, status=status,
            migration_type=kind,
            old_instance_type_id=inst.instance_type_id,
            new_instance_type_id=(new_flavor or flavor or self.small).id)
        return inst

    def test_counts_what_is_coming_in_its_new_flavor(self):
        self._coming()                                      # 1, 2048, 20
        self._coming(new_flavor=self.large, kind='resize')  # 4, 8192, 80
        self._coming(status='completed')                    # done: nothing
        self._coming().destroy()                            # gone: nothing
        self.assertEqual((2 + 1 + 4, 1024 + 2048 + 8192, 10 + 20 + 80, 1),
                         capacity.host_usage(self.context, 'compute2'))

    def statements(self):
        """The list every SQL statement run from now on is added to."""
        return self.useFixture(migrator_fixtures.StatementLog()).statements

    def test_one_read_of_the_servers_coming_however_many(self):
        # It read each incoming server on its own: a claim on a busy host
        # (made under that host's lock) grew with its incoming moves.
        statements = self.statements()
        self._coming()
        del statements[:]
        capacity.host_usage(self.context, 'compute2')
        one = len(statements)
        for _ in range(5):
            self._coming()
        del statements[:]
        usage = capacity.host_usage(self.context, 'compute2')
        self.assertEqual((2 + 6, 1024 + 6 * 2048, 10 + 6 * 20, 1), usage)
        self.assertEqual(one, len(statements), statements)

    def test_many_hosts_at_once_as_each_alone(self):
        # The scheduler weighs every host: a few queries each made every
        # boot and move grow with the hosts.
        self._coming()
        self._coming(new_flavor=self.large, kind='resize')
        # A cold migration that reached compute3 holds its old room on
        # compute1 until it is confirmed or reverted.
        held = self._instance('compute3', self.small)
        test_objects._migration(
            self.context, instance_uuid=held.uuid, status='finished',
            migration_type='migration', dest_compute='compute3',
            old_instance_type_id=self.small.id,
            new_instance_type_id=self.small.id)
        self._instance('compute4', self.large)
        hosts = ['compute1', 'compute2', 'compute3', 'compute4', 'nowhere']
        alone = {host: capacity.host_usage(self.context, host)
                 for host in hosts}
        self.assertEqual((0, 0, 0, 0), alone['nowhere'])
        self.assertEqual((1 + 1 + 1, 3 * 2048, 3 * 20, 2),
                         alone['compute1'])
        statements = self.statements()
        capacity.hosts_usage(self.context, ['compute1', 'compute2'])
        two = len(statements)
        del statements[:]
        self.assertEqual(alone, capacity.hosts_usage(self.context, hosts))
        # Five hosts, the same statements as the two with every move.
        self.assertEqual(two, len(statements), statements)
