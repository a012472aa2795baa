"""Which cell new work goes to.

In a deployment with one cell (the common case) the API creates every
instance mapping in "the default cell": the cell mapping whose database is
the ``[database] connection`` of the service's own configuration, or, when
no mapping names that database, the only cell that is not cell0.
"""
from oslo_config import cfg

from migrator import exception
from migrator.objects import cell_mapping as cell_mapping_obj

CONF = cfg.CONF


class NoDefaultCell(exception.NotFound):
    msg_fmt = ('No default cell: %(reason)s. Run "migrator-manage cell_v2 '
               'create_cell" with [database] connection set to the cell '
               'database.')


def get_default_cell(context):
    """The CellMapping new instances are mapped to.

    Raises NoDefaultCell when no mapping uses ``[database] connection`` and
    there is not exactly one cell besides cell0.
    """
    cells = [cell for cell in
             cell_mapping_obj.CellMappingList.get_all(context)
             if not cell.is_cell0]
    connection = CONF.database.connection
    if connection:
        for cell in cells:
            if cell.database_connection == connection:
                return cell
    if len(cells) == 1:
        return cells[0]
    if not cells:
        raise NoDefaultCell(reason='no cell is mapped besides cell0')
    raise NoDefaultCell(reason='%d cells are mapped and none uses '
                               '[database] connection' % len(cells))
