"""migrator-all --demo: create servers, live-migrate one, and show its
progress as a terminal progress bar fed only by the REST API.

It is a client like any other: it talks HTTP to the API the process
serves (noauth2, as admin), so what it shows is what an operator sees.
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request

from oslo_log import log as logging

from migrator.cmd import progress_view

LOG = logging.getLogger(__name__)

MICROVERSION = '2.106'
POLL_SECONDS = 0.5
# A guest that keeps re-dirtying memory, so the migration takes several
# pre-copy passes and the bar has something to show.
BUSY_GUEST = {'sim_dirty_rate_mib': '30', 'sim_working_set_mib': '256'}


class DemoError(Exception):
    pass


class APIClient:
    def __init__(self, endpoint, token='admin:admin'):
        self.endpoint = endpoint.rstrip('/')
        self.token = token

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.endpoint + path, data=data, method=method,
            headers={'X-Auth-Token': self.token,
                     'Content-Type': 'application/json',
                     'OpenStack-API-Version': 'compute %s' % MICROVERSION})
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


def run_demo(endpoint, out=sys.stdout, tty=None):
    tty = out.isatty() if tty is None else tty
    client = APIClient(endpoint)
    client.wait_until_up()
    stamp = time.strftime('%H%M%S')
    out.write('\nDemo: creating two servers ...\n')
    quiet = create_server(client, 'demo-quiet-%s' % stamp, '1')
    busy = create_server(client, 'demo-busy-%s' % stamp, '2', BUSY_GUEST)
    wait_active(client, quiet)
    server = wait_active(client, busy)
    source = server.get('OS-EXT-SRV-ATTR:host')
    out.write('Demo: live-migrating %s (2 GiB RAM, dirtying 30 MiB/s) '
              'away from %s; progress from GET /servers/%s/migrations '
              'at %s:\n' % (server['name'], source, busy, MICROVERSION))
    client.request('POST', '/servers/%s/action' % busy,
                   {'os-migrateLive': {'host': None,
                                       'block_migration': 'auto'}})
    final = follow_migration(client, busy, out, tty)
    server = client.request('GET', '/servers/%s' % busy)['server']
    out.write('Demo: migration %s, server %s now on %s. migrator-all keeps '
              'serving; Ctrl-C stops it.\n' % (
                  final.get('status') if final else 'unknown',
                  server['name'], server.get('OS-EXT-SRV-ATTR:host')))
    out.flush()


class DemoService:
    """Runs the demo on a thread once the API is up."""
    binary = 'demo'

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self._thread = None

    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='demo')
        self._thread.start()

    def _run(self):
        try:
            run_demo(self.endpoint)
        except Exception as exc:
            LOG.exception('The demo failed')
            sys.stdout.write('\nDemo failed: %s\n' % exc)

    def stop(self, timeout=None):
        pass
