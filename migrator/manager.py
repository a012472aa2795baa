"""Base of the RPC endpoint classes (conductor, compute)."""
import oslo_messaging as messaging

from migrator import context as migrator_context


class Manager:
    #: RPC target of the endpoint: namespace None, the service's version.
    target = messaging.Target(version='1.0')

    #: The cell whose database this service's own work uses (set by the
    #: Service; None: [database] connection). Requests carry their own.
    cell_uuid = None

    def __init__(self, host, service_name):
        self.host = host
        self.service_name = service_name

    def admin_context(self):
        """An admin context in this service's cell."""
        ctxt = migrator_context.get_admin_context()
        ctxt.cell_uuid = self.cell_uuid
        return ctxt

    def init_host(self):
        """Start-up work before RPC is served (e.g. crash clean-up)."""

    def post_start_hook(self):
        """Work after the Service record exists and RPC is served."""

    def cleanup_host(self):
        """Stop-time work after RPC is no longer served."""

    def drain(self, timeout):
        """First phase of a stop, while RPC still answers peers: take no
        new long work, and end what is in flight within ``timeout``
        seconds."""

    def record_interrupted(self, reason):
        """Called when graceful shutdown timed out with work in flight:
        record what was cut short, so nothing is left half-done unseen."""

    def periodic_tasks(self):
        """[(callable(context), interval_seconds), ...] run by the
        service in the background."""
        return []
