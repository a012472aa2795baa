"""migrator-all: the embedded default, everything in one process.

The compute API, a conductor and N simulated compute hosts (the fake
driver), on oslo.messaging's in-process transport, with SQLite files under
a state directory. It prints how to talk to it and writes a clouds.yaml
entry for the openstack CLI and openstacksdk.
"""
import os
import sys

from oslo_config import cfg
from oslo_log import log as logging

from migrator.cmd import common

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

CLOUD_NAME = 'migrator'

cli_opts = [
    cfg.StrOpt('state-path', dest='all_state_path',
               default=os.environ.get('MIGRATOR_STATE_PATH',
                                      './migrator-state'),
               help='Directory for the SQLite databases and clouds.yaml '
                    '(default: $MIGRATOR_STATE_PATH or ./migrator-state). '
                    'Restarting on the same path keeps every server.'),
    cfg.IntOpt('computes', default=2, min=1, max=64,
               help='Number of simulated compute hosts (compute1 .. N).'),
    cfg.IntOpt('cells', default=1, min=1, max=16,
               help='Number of cells besides cell0. Cell 1 uses '
                    'migrator.sqlite and compute1 .. N; each further cell K '
                    'its own migrator_cellK.sqlite, in-process message '
                    'queue, conductor and hosts cellK-compute1 .. N.'),
    cfg.HostAddressOpt('bind-host', dest='all_bind_host',
                       default='127.0.0.1',
                       help='Address the APIs listen on.'),
    cfg.PortOpt('compute-port', default=8774,
                help='Port of the compute API.'),
    cfg.PortOpt('volume-port', default=8776,
                help='Port of the block storage API (/v3).'),
    cfg.BoolOpt('demo', default=False,
                help='Create servers and live-migrate one while a progress '
                     'bar, fed only by the API, shows how far it got, and '
                     'migrate a volume meanwhile; then keep serving.'),
    cfg.IntOpt('demo-seconds', default=120, min=5,
               help='About how long the demo\'s migrations last (the '
                    'live migration\'s bandwidth cap and the volume copy '
                    'rate follow from it), so that there is time to watch '
                    'and steer them on the dashboard.'),
]


def _log_to_state_path(conf):
    """Unless told otherwise, log to a file in the state directory so that
    the terminal shows what to do (and the demo's progress bar)."""
    if conf.log_file or conf.log_dir or conf.debug:
        return
    os.makedirs(conf.all_state_path, exist_ok=True)
    conf.set_override('log_file', os.path.join(
        os.path.abspath(conf.all_state_path), 'migrator-all.log'))


def compute_hosts():
    return ['compute%d' % n for n in range(1, CONF.computes + 1)]


def endpoint():
    return 'http://%s:%d/v2.1' % (CONF.all_bind_host, CONF.compute_port)


def volume_endpoint():
    return 'http://%s:%d/v3' % (CONF.all_bind_host, CONF.volume_port)


def clouds_yaml(url):
    """A clouds.yaml whose 'migrator' cloud reaches this process as the
    admin user of noauth2 (no Keystone). The openstack CLI insists on an
    identity v3 endpoint; in noauth2 mode the compute API serves a minimal
    version document for it at /identity/v3, and the image lookups of
    ``openstack server create --image`` at /image."""
    base = url.rsplit('/v2.1', 1)[0]
    return '\n'.join([
        '# Written by migrator-all: its embedded cloud, noauth2 as admin.',
        'clouds:',
        '  %s:' % CLOUD_NAME,
        '    auth_type: admin_token',
        '    auth:',
        '      endpoint: %s' % url,
        '      token: admin:admin',
        '    identity_endpoint_override: %s/identity/v3' % base,
        '    image_endpoint_override: %s/image' % base,
        '    block_storage_endpoint_override: %s' % volume_endpoint(),
        '',
    ])


def write_clouds_yaml(path):
    with open(path, 'w') as handle:
        handle.write(clouds_yaml(endpoint()))
    return path


def banner(clouds_path, log_file):
    url = endpoint()
    create_body = ('{"server": {"name": "demo1", "flavorRef": "1", '
                   '"imageRef": "any", "networks": "none"}}')
    sdk_create = (
        "python3 -c \"import openstack; c = openstack.connect(); "
        "s = c.compute.create_server(name='demo1', flavor_id='1', "
        "image_id='any', networks='none'); "
        "print(c.compute.wait_for_server(s).status)\"")
    lines = [
        '',
        'migrator-all is running: compute API %s, %d simulated compute '
        'hosts (%s).' % (url, CONF.computes, ', '.join(compute_hosts())),
        'Cells: cell0 and %s.' % ', '.join(
            'cell%d' % n for n in range(1, CONF.cells + 1)),
        'State in %s, logs in %s. Stop with Ctrl-C.' % (CONF.state_path,
                                                        log_file),
        '',
        'Point the openstack CLI and openstacksdk at it (noauth2, as '
        'admin):',
        '  export OS_CLIENT_CONFIG_FILE=%s OS_CLOUD=%s'
        % (clouds_path, CLOUD_NAME),
        'Create a server (migrator serves no image API: any image id '
        'will do, so',
        'create with openstacksdk or curl rather than "openstack server '
        'create"):',
        '  ' + sdk_create,
        'Look around:',
        '  openstack flavor list',
        '  openstack server list --no-name-lookup',
        '  openstack hypervisor list',
        'Live-migrate it and watch its progress:',
        '  openstack server migrate --live-migration demo1',
        '  openstack --os-compute-api-version 2.80 server migration list '
        '--server demo1',
        'Block storage API %s (volume service %s: backends file1, '
        'file2, and assisted with pools pool-a, pool-b; volume service '
        '%s on another host: backend %s):'
        % (volume_endpoint(), 'volume1', 'volume2', 'file3'),
        '  openstack volume create --size 1 vol1',
        '  openstack volume migrate --host volume1@file2 vol1',
        '  openstack volume migrate --host volume2@file3 vol1',
        '  openstack volume show vol1',
        '  curl -s -H "X-Auth-Token: admin:admin" -H "OpenStack-API-Version: '
        'volume 3.72" %s/volumes/detail' % volume_endpoint(),
        'With curl:',
        '  curl -s -H "X-Auth-Token: admin:admin" %s/flavors' % url,
        '  curl -s -H "X-Auth-Token: admin:admin" -H "Content-Type: '
        'application/json" -H "OpenStack-API-Version: compute latest" '
        "-d '%s' %s/servers" % (create_body, url),
        'Watch and steer migrations in a browser: %s/dashboard (sign in '
        'with admin:admin);' % _root(url),
        'Prometheus metrics: curl -s -H "X-Auth-Token: admin:admin" '
        '%s/metrics' % _root(url),
        '',
    ]
    return '\n'.join(lines)


def _root(url):
    """http://host:port of the compute endpoint (the dashboard and the
    metrics are served beside /v2.1, not under it)."""
    return url.rsplit('/v2.1', 1)[0]


def main(argv=None):
    argv = argv or sys.argv
    common.parse_args(argv, 'migrator-all: the compute and block storage '
                            'APIs, a conductor, two volume services and '
                            'simulated compute hosts in one process, with '
                            'SQLite state. Prints how to talk to it.',
                      cli_opts=cli_opts, before_logging=_log_to_state_path)
    from migrator import embedded
    embedded.configure(CONF.all_state_path)

    def build():
        from migrator.api import server as api_server
        from migrator.compute import manager as compute_manager
        from migrator.conductor import manager as conductor_manager
        from migrator import service

        embedded.prepare_databases(compute_hosts())
        services = [service.Service('conductor', 'migrator-conductor',
                                    'conductor',
                                    conductor_manager.ConductorManager(
                                        'conductor'))]
        for host in compute_hosts():
            services.append(service.Service(
                host, 'migrator-compute', 'compute',
                compute_manager.ComputeManager(host)))
        for cell, hosts in embedded.prepare_extra_cells(CONF.cells,
                                                        CONF.computes):
            where = dict(cell_uuid=cell.uuid,
                         transport_url=cell.transport_url)
            services.append(service.Service(
                'conductor-%s' % cell.name, 'migrator-conductor',
                'conductor', conductor_manager.ConductorManager(
                    'conductor-%s' % cell.name), **where))
            for host in hosts:
                services.append(service.Service(
                    host, 'migrator-compute', 'compute',
                    compute_manager.ComputeManager(host), **where))
        services.append(APIService(
            api_server, CONF.all_bind_host, CONF.compute_port))
        # The volume service (two file backends, one driver-assisted), a
        # second one on "another host" (one file backend) and the block
        # storage API: issue 9.
        from migrator.volume import service as volume_service
        services.append(volume_service.VolumeService(
            embedded.VOLUME_HOST))
        services.append(embedded.second_volume_service())
        services.append(APIService(
            api_server, CONF.all_bind_host, CONF.volume_port,
            surface='volume'))
        clouds = write_clouds_yaml(os.path.join(CONF.state_path,
                                                'clouds.yaml'))
        services.append(_Banner(banner(clouds, CONF.log_file)))
        if CONF.demo:
            from migrator.cmd import demo
            services.append(demo.DemoService(
                endpoint(), volume_endpoint(), CONF.demo_seconds))
        return services

    common.run_service('migrator-all', build)


class APIService:
    """An API's WSGI server (the compute API, or with surface='volume'
    the block storage API) as one of the services started and stopped
    together."""
    binary = 'migrator-api'

    def __init__(self, api_server, host, port, surface='compute'):
        if surface == 'volume':
            from migrator.api.volume import app as surface_app
        else:
            from migrator.api.compute import app as surface_app
        self.port = port
        self.option = '--%s-port' % surface
        self._server = api_server.WSGIServer(
            surface_app.make_app(CONF), host, port,
            threads=CONF.api.wsgi_threads,
            timeout=CONF.api.client_socket_timeout,
            max_header_size=CONF.api.max_request_header_size,
            header_deadline=CONF.api.request_header_timeout)

    def start(self):
        try:
            self._server.start()
        except OSError as exc:
            common.fail('cannot listen on %s:%s: %s (another migrator-all? '
                        'use %s)' % (CONF.all_bind_host, self.port,
                                     exc.strerror or exc, self.option),
                        code=1)

    def stop(self, timeout=None):
        self._server.stop()


class _Banner:
    """Prints how to talk to the process once everything has started."""
    binary = 'banner'

    def __init__(self, text):
        self.text = text

    def start(self):
        print(self.text, flush=True)

    def stop(self, timeout=None):
        pass


if __name__ == '__main__':
    main()
