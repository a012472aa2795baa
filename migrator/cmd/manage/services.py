"""migrator-manage service: services recorded in the cell database."""
from migrator.cmd import common
from migrator.cmd.manage.base import action
from migrator.cmd.manage.base import db_guard
from migrator.cmd.manage.base import print_table
from migrator.cmd.manage.base import SUCCESS
from migrator import context as migrator_context


# -- service --------------------------------------------------------------

class ServiceCommands:
    """Services recorded in the cell database."""

    @action('list')
    @db_guard('database')
    def list_services(self):
        """List services: host, binary, enabled or disabled, up or down
        (heartbeat within [DEFAULT] service_down_time), last heartbeat
        and service version."""
        from migrator.objects import service as service_obj
        common.require('database', 'connection', 'the cell database URL')
        services = service_obj.ServiceList.get_all(
            migrator_context.get_admin_context())
        rows = []
        for svc in services:
            seen = svc.last_seen_up
            rows.append([svc.host, svc.binary,
                         'disabled' if svc.disabled else 'enabled',
                         'up' if svc.is_up else 'down',
                         seen.strftime('%Y-%m-%d %H:%M:%S') if seen
                         else '-', svc.version])
        print_table(['Host', 'Binary', 'Status', 'State', 'Updated At',
                     'Version'], rows)
        return SUCCESS
