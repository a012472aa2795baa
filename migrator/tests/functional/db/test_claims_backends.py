"""Claims made at once, in threads, on MariaDB and on PostgreSQL: the
destination takes exactly as many as fit, never one more (``claims``
locks the host's compute node rows before it reads its usage)."""
import threading
import time

import fixtures
from oslo_utils import uuidutils

from migrator import capacity
from migrator import claims
from migrator import context as migrator_context
from migrator import embedded
from migrator import exception
from migrator.objects import compute_node as compute_node_obj
from migrator.objects import flavor as flavor_obj
from migrator.objects import instance as instance_obj
from migrator.objects import migration as migration_obj
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures

CLAIMS = 10
# Room on the destination for 3 of them (m1.small: 2048 MiB).
DEST_MEMORY_MB = 3 * 2048 + 1024


class _ConcurrentClaims:
    BACKEND = None

    def setUp(self):
        super().setUp()
        cell = self.useFixture(migrator_fixtures.TempDatabase(
            self.BACKEND, prefix='migrator_claims')).url
        self.useFixture(migrator_fixtures.Database(connection=cell))
        self.admin = migrator_context.get_admin_context()
        embedded.seed_flavors(self.admin)
        self.flavor = flavor_obj.Flavor.get_by_name(self.admin, 'm1.small')
        self.dest = compute_node_obj.ComputeNode(
            self.admin, host='dest', hypervisor_hostname='dest',
            hypervisor_type='QEMU', hypervisor_version=1, vcpus=64,
            memory_mb=DEST_MEMORY_MB, local_gb=1000,
            cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0,
            disk_allocation_ratio=1.0)
        self.dest.create()
        # Widen the window between a claim's read and its write: without
        # the lock, every claim would read the room as still free.
        free_capacity = capacity.free_capacity

        def slow_free_capacity(*args, **kwargs):
            free = free_capacity(*args, **kwargs)
            time.sleep(0.05)
            return free
        self.useFixture(fixtures.MockPatchObject(
            capacity, 'free_capacity', slow_free_capacity))

    def accepted_migration(self):
        ctxt = migrator_context.RequestContext(
            user_id='admin', project_id='admin', roles=['admin'])
        flavor = self.flavor
        inst = instance_obj.Instance(
            ctxt, uuid=uuidutils.generate_uuid(), display_name='server',
            vm_state=instance_obj.ACTIVE,
            task_state=instance_obj.MIGRATING, flavor=flavor,
            instance_type_id=flavor.id, memory_mb=flavor.memory_mb,
            vcpus=flavor.vcpus, root_gb=flavor.root_gb,
            ephemeral_gb=flavor.ephemeral_gb, host='source', node='source',
            project_id='admin', user_id='admin')
        inst.create()
        return migration_obj.Migration.create_live_migration(ctxt, inst)

    def claim_at_once(self, migrations):
        start = threading.Barrier(len(migrations), timeout=30)
        won = []
        lost = []
        failed = []

        def claim(migration):
            start.wait()
            try:
                claims.claim_for_migration(migration, self.dest,
                                           self.flavor, ['accepted'])
                won.append(migration.uuid)
            except exception.InsufficientResources:
                lost.append(migration.uuid)
            except Exception as exc:
                failed.append(exc)
        threads = [threading.Thread(target=claim, args=(m,))
                   for m in migrations]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        self.assertEqual([], failed)
        return won, lost

    def test_destination_never_claimed_beyond_its_room(self):
        migrations = [self.accepted_migration() for _ in range(CLAIMS)]
        won, lost = self.claim_at_once(migrations)
        self.assertEqual((3, CLAIMS - 3), (len(won), len(lost)))
        free = capacity.free_capacity(self.admin, self.dest)
        self.assertEqual(1024, free['memory_mb'])
        written = {m.uuid: m.dest_compute for m in
                   migration_obj.MigrationList.get_unfinished_by_host(
                       self.admin, 'dest')}
        self.assertEqual(sorted(won), sorted(
            uuid for uuid, dest in written.items() if dest == 'dest'))


class TestConcurrentClaimsMariaDB(_ConcurrentClaims, base.TestCase):
    BACKEND = 'mysql'


class TestConcurrentClaimsPostgreSQL(_ConcurrentClaims, base.TestCase):
    BACKEND = 'postgresql'


class TestConcurrentClaimsSQLite(_ConcurrentClaims, base.TestCase):
    BACKEND = 'sqlite'
