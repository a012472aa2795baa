"""The conductor's live-migration task reads its pre-checks in one
transaction per database instead of one per read: what it costs per
migration is mostly transactions (a checkout, a ping, a rollback each),
so their number is what these tests hold."""
import threading

import sqlalchemy as sa

from migrator.tests import base
from migrator.tests.functional import control_plane

HOSTS = ('compute1', 'compute2', 'compute3', 'compute4')


class TestLiveMigrateTransactions(base.TestCase):

    def setUp(self):
        super().setUp()
        # Listening from before the services start until after they
        # stop: SQLAlchemy's listener list must not change while other
        # threads dispatch from it.
        self.counting = None
        self.begun = []
        sa.event.listen(sa.engine.Engine, 'begin', self.begin)
        self.addCleanup(sa.event.remove, sa.engine.Engine, 'begin',
                        self.begin)
        self.plane = self.useFixture(control_plane.ControlPlane(HOSTS))
        self.conductor = [svc.manager for svc in self.plane.services
                          if svc.binary == 'migrator-conductor'][0]

    def begin(self, conn):
        if threading.get_ident() == self.counting:
            self.begun.append(conn.engine.url.database)

    def accepted(self):
        """A server claimed with its action and Migration, as the API
        leaves it before it casts to the conductor."""
        return self.plane.claimed_for_live_migration('m1.tiny')

    def transactions_of(self, call):
        """How many transactions ``call()`` begins in this thread (the
        computes answer in threads of their own)."""
        self.begun = []
        self.counting = threading.get_ident()
        try:
            call()
        finally:
            self.counting = None
        return len(self.begun)

    def test_scheduled_destination(self):
        ctxt, inst, migration = self.accepted()
        # The event's start, the pre-check reads of the cell, the
        # mappings of the API database, the destination written to the
        # Migration, the event's end: 20 transactions before.
        self.assertEqual(5, self.transactions_of(
            lambda: self.conductor.run_live_migration(
                ctxt, inst, None, migration=migration)))
        done = self.plane.wait_for_migration(inst.uuid)
        self.assertEqual('completed', done.status)
        self.assertNotEqual('compute1', done.dest_compute)

    def test_requested_destination(self):
        ctxt, inst, migration = self.accepted()
        self.assertEqual(5, self.transactions_of(
            lambda: self.conductor.run_live_migration(
                ctxt, inst, 'compute3', migration=migration)))
        done = self.plane.wait_for_migration(inst.uuid)
        self.assertEqual(('completed', 'compute3'),
                         (done.status, done.dest_compute))
