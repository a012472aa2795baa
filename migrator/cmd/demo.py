"""migrator-all --demo: create servers, live-migrate one, and show its
progress as a terminal progress bar fed only by the REST API; migrate a
volume meanwhile, so that the dashboard has one of each to show.

It is a client like any other: it talks HTTP to the APIs the process
serves (noauth2, as admin), so what it shows is what an operator sees.
Both migrations last about ``--demo-seconds`` (two minutes by default),
long enough for a newcomer to open the dashboard and try its buttons,
and then complete on their own:

* the live migration, through the API: once it runs, the demo caps its
  bandwidth with the 2.107 ``set_bandwidth`` so that the guest's memory
  takes that long to send; the guest dirties a quarter of that rate over
  a small working set, so it converges. Lifting the cap (``Set
  bandwidth`` 0 on the dashboard) finishes it within about 20 s;
* the volume copy: a 1 GiB volume moved to another backend, throttled by
  ``[volume] copy_rate_limit_mib`` (the demo sets its default, so a value
  in the configuration wins).
"""
import json
import math
import sys
import threading
import time
import urllib.error
import urllib.request

from oslo_config import cfg
from oslo_log import log as logging

from migrator.cmd import progress_view

LOG = logging.getLogger(__name__)

MICROVERSION = '2.106'
CONTROLS_MICROVERSION = '2.107'
VOLUME_MICROVERSION = '3.72'
POLL_SECONDS = 0.5
DEFAULT_SECONDS = 120
GUEST_MIB = 2048          # flavor 2, m1.small
VOLUME_GIB = 1
VOLUME_DESTINATION = 'volume1@file2'


class Pace:
    """The demo's numbers for migrations of about ``seconds``."""

    def __init__(self, seconds=DEFAULT_SECONDS):
        self.seconds = seconds
        # Pass 1 sends the whole memory at the cap.
        self.bandwidth_mib = max(1, math.ceil(GUEST_MIB / seconds))
        # A quarter of the cap (at most 8 MiB/s, the simulated guests'
        # default, for a cap above the link's speed) over a 64 MiB hot
        # set: each pass is at most a quarter of the one before, so the
        # guest converges soon after pass 1.
        self.dirty_rate_mib = min(8, self.bandwidth_mib / 4)
        self.working_set_mib = 64
        self.volume_copy_mib = max(1, math.ceil(VOLUME_GIB * 1024 / seconds))

    def busy_guest(self):
        """Metadata of a guest that keeps re-dirtying memory, so that the
        migration takes several pre-copy passes."""
        return {'sim_dirty_rate_mib': '%g' % self.dirty_rate_mib,
                'sim_working_set_mib': '%d' % self.working_set_mib}


class DemoError(Exception):
    pass


class APIClient:
    def __init__(self, endpoint, token='admin:admin', service='compute',
                 version=MICROVERSION):
        self.endpoint = endpoint.rstrip('/')
        self.token = token
        self.service = service
        self.version = version

    def request(self, method, path, body=None, version=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.endpoint + path, data=data, method=method,
            headers={'X-Auth-Token': self.token,
                     'Content-Type': 'application/json',
                     'OpenStack-API-Version': '%s %s' % (
                         self.service, version or self.version)})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode()[:300]
            raise DemoError('%s %s: %s %s' % (method, path, exc.code,
                                              detail))
        return json.loads(raw) if raw else None

    def wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.request('GET', '/flavors')
            except (urllib.error.URLError, ConnectionError, DemoError):
                if time.monotonic() > deadline:
                    raise DemoError('the API did not come up')
                time.sleep(0.2)


def create_server(client, name, flavor, metadata=None):
    body = {'server': {'name': name, 'flavorRef': flavor,
                       'imageRef': 'demo-image', 'networks': 'none',
                       'metadata': metadata or {}}}
    return client.request('POST', '/servers', body)['server']['id']


def wait_active(client, server_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = client.request('GET', '/servers/%s' % server_id)['server']
        if server['status'] == 'ACTIVE':
            return server
        if server['status'] == 'ERROR':
            raise DemoError('server %s went to ERROR: %s' % (
                server_id, server.get('fault', {}).get('message')))
        time.sleep(0.2)
    raise DemoError('server %s did not become ACTIVE' % server_id)


def follow_migration(client, server_id, out, tty):
    """Draw the progress of the server's in-progress live migration until
    it leaves the list; return the final os-migrations entry."""
    last_line = None
    seen = None
    while True:
        listing = client.request('GET', '/servers/%s/migrations'
                                 % server_id)['migrations']
        if listing:
            seen = listing[0]
            line = progress_view.render(seen)
            if tty:
                out.write('\r' + line + '\033[K')
                out.flush()
            elif line != last_line:
                out.write(line + '\n')
                out.flush()
            last_line = line
        elif seen is not None:
            break
        time.sleep(POLL_SECONDS)
    if tty:
        out.write('\n')
    final = client.request('GET', '/os-migrations?instance_uuid=%s'
                           % server_id)['migrations']
    return final[0] if final else seen


def cap_bandwidth(client, server_id, mib_per_s, timeout=60):
    """Set the in-progress live migration's bandwidth cap (2.107) as soon
    as it runs (before, the API answers 409); the migration id, or None
    if it ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listing = client.request('GET', '/servers/%s/migrations'
                                 % server_id)['migrations']
        if listing and listing[0]['status'] == 'running':
            try:
                client.request(
                    'POST', '/servers/%s/migrations/%s/action'
                    % (server_id, listing[0]['id']),
                    {'set_bandwidth': {'mib_per_s': mib_per_s}},
                    version=CONTROLS_MICROVERSION)
                return listing[0]['id']
            except DemoError as exc:
                if ' 409 ' not in str(exc):
                    raise
        time.sleep(0.1)
    return None


def start_volume_migration(volumes, stamp):
    """Create a volume, wait until it is available, and ask for its
    migration to another backend; its id."""
    volume = volumes.request('POST', '/volumes', {'volume': {
        'size': VOLUME_GIB, 'name': 'demo-vol-%s' % stamp}})['volume']
    deadline = time.monotonic() + 60
    while True:
        status = volumes.request('GET', '/volumes/%s' % volume['id'])[
            'volume']['status']
        if status == 'available':
            break
        if status == 'error' or time.monotonic() > deadline:
            raise DemoError('volume %s is %s' % (volume['id'], status))
        time.sleep(0.2)
    volumes.request('POST', '/volumes/%s/action' % volume['id'],
                    {'os-migrate_volume': {'host': VOLUME_DESTINATION}})
    return volume['id']


def wait_volume_migration(volumes, volume_id, timeout=600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        volume = volumes.request('GET', '/volumes/%s' % volume_id)['volume']
        if volume.get('migration_status') in ('success', 'error', None):
            return volume
        time.sleep(POLL_SECONDS)
    return volume


def run_demo(endpoint, out=sys.stdout, tty=None, volume_endpoint=None,
             pace=None):
    tty = out.isatty() if tty is None else tty
    pace = pace or Pace()
    client = APIClient(endpoint)
    client.wait_until_up()
    root = endpoint.rstrip('/').rsplit('/v2.1', 1)[0]
    stamp = time.strftime('%H%M%S')
    out.write('\nDemo: creating two servers ...\n')
    quiet = create_server(client, 'demo-quiet-%s' % stamp, '1')
    busy = create_server(client, 'demo-busy-%s' % stamp, '2',
                         pace.busy_guest())
    wait_active(client, quiet)
    server = wait_active(client, busy)
    source = server.get('OS-EXT-SRV-ATTR:host')
    volume_id = None
    volumes = None
    if volume_endpoint:
        volumes = APIClient(volume_endpoint, service='volume',
                            version=VOLUME_MICROVERSION)
        volume_id = start_volume_migration(volumes, stamp)
        out.write('Demo: migrating volume demo-vol-%s (%d GiB) to %s at '
                  '%d MiB/s.\n' % (stamp, VOLUME_GIB, VOLUME_DESTINATION,
                                   pace.volume_copy_mib))
    out.write('Demo: live-migrating %s (2 GiB RAM, dirtying %g MiB/s) '
              'away from %s, its bandwidth capped at %d MiB/s so that it '
              'takes about %d s.\n' % (
                  server['name'], pace.dirty_rate_mib, source,
                  pace.bandwidth_mib, pace.seconds))
    out.write('Demo: watch both and try the buttons at %s/dashboard (sign '
              'in with admin:admin): "Set bandwidth" 0 lifts the cap (it '
              'then ends within about 20 s).\n' % root)
    out.write('Demo: progress from GET /servers/%s/migrations at %s:\n'
              % (busy, MICROVERSION))
    out.flush()
    client.request('POST', '/servers/%s/action' % busy,
                   {'os-migrateLive': {'host': None,
                                       'block_migration': 'auto'}})
    cap_bandwidth(client, busy, pace.bandwidth_mib)
    final = follow_migration(client, busy, out, tty)
    server = client.request('GET', '/servers/%s' % busy)['server']
    out.write('Demo: migration %s, server %s now on %s.\n' % (
        final.get('status') if final else 'unknown', server['name'],
        server.get('OS-EXT-SRV-ATTR:host')))
    if volume_id:
        volume = wait_volume_migration(volumes, volume_id)
        out.write('Demo: volume migration %s, volume %s now on %s.\n' % (
            volume.get('migration_status'), volume['name'],
            volume.get('os-vol-host-attr:host')))
    out.write('Demo: done. migrator-all keeps serving; Ctrl-C stops '
              'it.\n')
    out.flush()


class DemoService:
    """Runs the demo on a thread once the APIs are up."""
    binary = 'demo'

    def __init__(self, endpoint, volume_endpoint=None,
                 seconds=DEFAULT_SECONDS):
        self.endpoint = endpoint
        self.volume_endpoint = volume_endpoint
        self.pace = Pace(seconds)
        self._thread = None

    def start(self):
        # The volume copy's pace, unless the configuration sets one.
        cfg.CONF.set_default('copy_rate_limit_mib',
                             self.pace.volume_copy_mib, group='volume')
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='demo')
        self._thread.start()

    def _run(self):
        try:
            run_demo(self.endpoint, volume_endpoint=self.volume_endpoint,
                     pace=self.pace)
        except Exception as exc:
            LOG.exception('The demo failed')
            sys.stdout.write('\nDemo failed: %s\n' % exc)

    def stop(self, timeout=None):
        pass
