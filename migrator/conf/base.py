"""Options in [DEFAULT] that every migrator service reads."""
import socket

from oslo_config import cfg

base_opts = [
    cfg.HostAddressOpt(
        'host', default=socket.gethostname(),
        sample_default='<current_hostname>',
        help='Name of this host as other services address it. For a '
             'compute service this is the host name that servers are '
             'placed on and the RPC server name it listens as.'),
    cfg.StrOpt(
        'state_path', default='$pybasedir',
        help='Directory where migrator keeps its state (SQLite files, '
             'generated clouds.yaml, simulated PMEM namespaces).'),
    cfg.StrOpt(
        'pybasedir', default='/var/lib/migrator',
        sample_default='/var/lib/migrator',
        help='Fallback base directory for state_path.'),
    cfg.IntOpt(
        'report_interval', default=10, min=1,
        help='Seconds between two heartbeats a service writes to its '
             'Service record.'),
    cfg.IntOpt(
        'service_down_time', default=60, min=1,
        help='A service whose last heartbeat is older than this many '
             'seconds is reported as down. Must be larger than '
             'report_interval.'),
    cfg.IntOpt(
        'long_rpc_timeout', default=1800, min=1, mutable=True,
        help='Timeout in seconds for RPC calls that are known to take '
             'long, such as the blocking live-migration pre-checks '
             'below microversion 2.34.'),
    cfg.IntOpt(
        'graceful_shutdown_timeout', default=60, min=0, mutable=True,
        help='Seconds a service waits for in-flight work on SIGTERM '
             'before it records what is left as interrupted and exits.'),
]


def _messaging_opts():
    # oslo.messaging registers transport_url only when a transport is
    # made; register it up front so it can be checked and documented.
    from oslo_messaging import opts as messaging_opts
    return [opt for group, opts in messaging_opts.list_opts()
            if group in (None, 'DEFAULT') for opt in opts
            if opt.name in ('transport_url', 'rpc_response_timeout')]


def register_opts(conf):
    conf.register_opts(base_opts)
    conf.register_opts(_messaging_opts())


def list_opts():
    return {'DEFAULT': base_opts}
