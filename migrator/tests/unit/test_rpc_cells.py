"""RPC clients reach each cell on its own message queue (cached), and
this service's own queue otherwise."""
from oslo_utils import uuidutils

from migrator import context as migrator_context
from migrator.objects import cell_mapping
from migrator import rpc
from migrator.rpcapi import compute as compute_rpcapi
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures


class TestCellTransports(base.DBTestCase):
    def setUp(self):
        super().setUp()
        self.useFixture(migrator_fixtures.RPCFixture())
        self.api = compute_rpcapi.ComputeAPI()

    def _cell(self, transport_url, uuid=None):
        cell = cell_mapping.CellMapping(
            self.context, uuid=uuid or uuidutils.generate_uuid(),
            name='c', transport_url=transport_url,
            database_connection='sqlite:///%s.db' % transport_url)
        cell.create()
        return cell

    def _ctxt(self, cell):
        ctxt = migrator_context.get_admin_context()
        ctxt.cell_uuid = cell.uuid if cell else None
        return ctxt

    def test_own_queue_without_a_cell_or_for_cell0_or_same_url(self):
        self.assertIs(self.api.client, self.api.client_for(self._ctxt(None)))
        cell0 = self._cell('none:///', cell_mapping.CELL0_UUID)
        self.assertIs(self.api.client, self.api.client_for(self._ctxt(cell0)))
        same = self._cell('fake:/')
        self.assertIs(self.api.client, self.api.client_for(self._ctxt(same)))

    def test_a_cell_queue_is_made_once(self):
        other = self._cell('fake:/cellx')
        client = self.api.client_for(self._ctxt(other))
        self.assertIsNot(self.api.client, client)
        self.assertIs(rpc.get_transport('fake:/cellx'), client.transport)
        self.assertIsNot(rpc.TRANSPORT, client.transport)
        self.assertIs(client, self.api.client_for(self._ctxt(other)))
        # Another client class instance shares the cell's transport.
        self.assertIs(client.transport, compute_rpcapi.ComputeAPI(
        ).client_for(self._ctxt(other)).transport)

    def test_a_cell_service_without_api_database_uses_its_own(self):
        ctxt = migrator_context.get_admin_context()
        ctxt.cell_uuid = uuidutils.generate_uuid()
        self.flags(connection=None, group='api_database')
        from migrator.db import session
        session.reset()
        self.assertIs(self.api.client, self.api.client_for(ctxt))
