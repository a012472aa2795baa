"""migrator.cells.get_default_cell."""
from oslo_utils import uuidutils

from migrator import cells
from migrator.objects import cell_mapping
from migrator.tests import base


class TestDefaultCell(base.DBTestCase):
    def _cell(self, name, url, uuid=None):
        cell = cell_mapping.CellMapping(
            self.context, uuid=uuid or uuidutils.generate_uuid(),
            name=name, transport_url='fake:/', database_connection=url)
        cell.create()
        return cell

    def test_no_cells(self):
        self.assertRaises(cells.NoDefaultCell, cells.get_default_cell,
                          self.context)

    def test_only_cell0(self):
        self._cell('cell0', 'sqlite://', cell_mapping.CELL0_UUID)
        self.assertRaises(cells.NoDefaultCell, cells.get_default_cell,
                          self.context)

    def test_only_non_cell0_cell(self):
        self._cell('cell0', 'sqlite://', cell_mapping.CELL0_UUID)
        cell = self._cell('cell1', 'sqlite:///elsewhere.db')
        self.assertEqual(cell.uuid,
                         cells.get_default_cell(self.context).uuid)

    def test_cell_of_database_connection_wins(self):
        self._cell('cell0', 'sqlite://', cell_mapping.CELL0_UUID)
        self._cell('cell1', 'sqlite:///elsewhere.db')
        mine = self._cell('cell2', self.db.connection)
        self.assertEqual(mine.uuid,
                         cells.get_default_cell(self.context).uuid)

    def test_several_cells_none_matching(self):
        self._cell('cell1', 'sqlite:///a.db')
        self._cell('cell2', 'sqlite:///b.db')
        exc = self.assertRaises(cells.NoDefaultCell,
                                cells.get_default_cell, self.context)
        self.assertIn('2 cells', exc.format_message())
