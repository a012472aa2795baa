"""The compute API's memory of which cell each server is in."""
import testtools

from migrator.compute.api import instance_cells


class TestInstanceCells(testtools.TestCase):

    def test_remember_get_forget(self):
        cells = instance_cells.InstanceCells()
        self.assertIsNone(cells.get('a'))
        cells.remember('a', 'cell1', 'project')
        self.assertEqual(('cell1', 'project'), cells.get('a'))
        cells.forget('a')
        self.assertIsNone(cells.get('a'))
        cells.forget('a')  # forgetting twice is harmless

    def test_least_recently_used_go_first(self):
        cells = instance_cells.InstanceCells(size=2)
        cells.remember('a', 'cell1', 'p')
        cells.remember('b', 'cell1', 'p')
        cells.get('a')
        cells.remember('c', 'cell1', 'p')
        self.assertIsNone(cells.get('b'))
        self.assertEqual(('cell1', 'p'), cells.get('a'))
        self.assertEqual(('cell1', 'p'), cells.get('c'))
