#!/usr/bin/env python3
"""Replay Nova's API samples against a running migrator compute API and
print where the answers differ from Nova's.

    git clone https://opendev.org/openstack/nova /tmp/nova
    migrator-all --state-path /tmp/m --compute-port 18774 &
    python3 tools/nova_api_samples.py /tmp/nova http://127.0.0.1:18774

The samples (``doc/api_samples/<resource>/[vX.Y/]*.json``) are read from
the checkout given; nothing of Nova is copied into migrator. For each
sample of a resource migrator serves, the request it documents is sent
(its ``*-req.json`` body where there is one) at the sample's
microversion (the ``vX.Y`` directory, 2.1 without one) as admin through
noauth2, and the answer is compared with the ``*-resp.json``: the status
class (2xx) and the key set of every object, recursively (the first item
of each list). Values are not compared: ids, times and hosts differ.

With ``--cinder CHECKOUT VOLUME_ENDPOINT`` it replays Cinder's samples
(``api-ref/source/v3/samples``) for volumes (create, show, list, list
detailed), os-services and the version documents against the block
storage API (port 8776) the same way.

A line per sample: ``ok``, ``DIFF`` with the keys missing (``-``) and
extra (``+``) per JSON path, ``STATUS`` with the code and error, or
``skip`` with the reason. The exit status is 1 when any sample differs.
The gabbi suites ``migrator/tests/functional/api/gabbits/conformance-*``
are the tests written from what this finds.
"""
import argparse
import glob
import json
import os
import sys
import urllib.error
import urllib.request
import uuid

ADMIN = 'admin:admin'
# A member of the admin project: Nova's samples from 2.90 on are
# rendered for a non-admin.
MEMBER = 'member:admin'
# Keys whose presence depends on the state of the data, not on the
# microversion: a fault on a server in ERROR, a next link on a full page.
OPTIONAL = ('fault', 'servers_links', 'flavors_links', 'hypervisors_links',
            'migrations_links', 'links_next')


class Client:

    def __init__(self, base, service='compute'):
        self.base = base.rstrip('/')
        self.service = service

    def request(self, method, path, body=None, version='2.1',
                token=ADMIN):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method)
        req.add_header('X-Auth-Token', token)
        req.add_header('OpenStack-API-Version',
                       '%s %s' % (self.service, version))
        if data is not None:
            req.add_header('Content-Type', 'application/json')
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw) if raw else None
            except ValueError:
                return exc.code, raw.decode(errors='replace')


class Skip(Exception):
    pass


def key_diff(expected, got, path='$'):
    """[(path, missing keys, extra keys)] between two JSON documents."""
    out = []
    if isinstance(expected, dict) and isinstance(got, dict):
        missing = sorted(set(expected) - set(got) - set(OPTIONAL))
        extra = sorted(set(got) - set(expected) - set(OPTIONAL))
        if missing or extra:
            out.append((path, missing, extra))
        for key in set(expected) & set(got):
            # Maps keyed by data (metadata, extra_specs, addresses,
            # scheduler_hints) are not fixed key sets.
            if key in ('metadata', 'extra_specs', 'addresses',
                       'scheduler_hints', 'properties', 'cpu_info'):
                continue
            out += key_diff(expected[key], got[key], '%s.%s' % (path, key))
    elif isinstance(expected, list) and isinstance(got, list):
        if expected and got:
            first = expected[0]
            match = got[0]
            if isinstance(first, dict) and 'binary' in first:
                # Services: compare like with like (cinder-volume with
                # migrator-volume, nova-compute with migrator-compute).
                kind = str(first['binary']).split('-')[-1]
                match = next((g for g in got if isinstance(g, dict) and
                              str(g.get('binary', '')).endswith(kind)),
                             None)
                if match is None:
                    return out
            out += key_diff(first, match, path + '[0]')
    return out


def version_of(sample_path):
    parent = os.path.basename(os.path.dirname(sample_path))
    return parent[1:] if parent.startswith('v2.') else '2.1'


class Replayer:
    """The request each served sample documents, by resource and file
    name. A handler returns (method, path, body) or a skip reason."""

    def __init__(self, client):
        self.client = client
        self.server_id = None
        self.flavor_seq = 0

    # -- fixtures ------------------------------------------------------
    def server(self):
        if self.server_id is None:
            status, body = self.client.request(
                'POST', '/v2.1/servers',
                {'server': {'name': 'samples', 'flavorRef': '1',
                            'imageRef': str(uuid.uuid4()),
                            'networks': 'none'}}, version='2.37')
            if status != 202:
                raise RuntimeError('cannot create a server: %s %s'
                                   % (status, body))
            self.server_id = body['server']['id']
        return self.server_id

    def new_flavor_id(self):
        self.flavor_seq += 1
        return 'sample-%s-%d' % (uuid.uuid4().hex[:6], self.flavor_seq)

    def request_id(self, version):
        status, body = self.client.request(
            'GET', '/v2.1/servers/%s/os-instance-actions' % self.server(),
            version=version)
        return body['instanceActions'][-1]['request_id']

    def compute_service(self, version):
        status, body = self.client.request('GET', '/v2.1/os-services',
                                           version=version)
        for svc in body['services']:
            if svc['binary'] == 'migrator-compute':
                return svc
        raise RuntimeError('no compute service')

    def hypervisor(self, version):
        status, body = self.client.request('GET', '/v2.1/os-hypervisors',
                                           version=version)
        return body['hypervisors'][0]

    # -- the samples -----------------------------------------------------
    def route(self, resource, name, version, req_body):
        s = '/v2.1/servers/'
        if resource == 'versions':
            return {'versions-get-resp': ('GET', '/', None),
                    'v21-version-get-resp': ('GET', '/v2.1', None),
                    'v2-version-get-resp': ('GET', '/v2', None)}.get(name)
        if resource == 'servers':
            if version_of_tuple(version) == (2, 69) or 'down-cell' in name:
                raise Skip('needs a cell that does not answer')
            if name == 'server-create-resp':
                if req_body is None:
                    raise Skip('no single request sample')
                req_body = json.loads(json.dumps(req_body))
                server = req_body['server']
                # Nova's sample environment has flavor 6; migrator-all's
                # flavors are 1 - 3.
                server['flavorRef'] = '1'
                # Some of Nova's own samples carry what Nova's schema of
                # that version refuses (Nova would answer 400 too).
                if version_of_tuple(version) >= (2, 37) and \
                        'networks' not in server:
                    server['networks'] = 'none'
                if version_of_tuple(version) >= (2, 57):
                    server.pop('personality', None)
                hints = req_body.get('OS-SCH-HNT:scheduler_hints') or {}
                for key in ('same_host', 'different_host'):
                    # A placeholder pattern in some samples.
                    if isinstance(hints.get(key), str) and \
                            '{' in hints[key]:
                        hints[key] = str(uuid.uuid4())
            table = {
                'server-create-resp': ('POST', '/v2.1/servers', req_body),
                'server-get-resp': ('GET', s + self.server(), None),
                'servers-details-resp': ('GET', '/v2.1/servers/detail',
                                         None),
                'servers-list-resp': ('GET', '/v2.1/servers', None),
                'server-update-resp': ('PUT', s + self.server(), req_body),
                'server-put-resp': ('PUT', s + self.server(), req_body),
                'servers-list-status-resp': (
                    'GET', '/v2.1/servers?status=active&status=error',
                    None),
            }
            if name not in table and ('action' in name or
                                      'groups' in name):
                raise Skip('not served by migrator')
            return table.get(name)
        if resource == 'flavors':
            return {'flavor-get-resp': ('GET', '/v2.1/flavors/1', None),
                    'flavors-list-resp': ('GET', '/v2.1/flavors', None),
                    'flavors-detail-resp': ('GET', '/v2.1/flavors/detail',
                                            None)}.get(name)
        if resource == 'flavor-manage':
            if name == 'flavor-create-post-resp':
                body = dict(req_body)
                new_id = self.new_flavor_id()
                body['flavor'] = dict(body['flavor'], id=new_id,
                                      name=new_id)
                return ('POST', '/v2.1/flavors', body)
            if name == 'flavor-update-resp':
                return ('PUT', '/v2.1/flavors/1', req_body)
            return None
        if resource == 'flavor-extra-specs':
            base = '/v2.1/flavors/1/os-extra_specs'
            return {
                'flavor-extra-specs-create-resp': ('POST', base, req_body),
                'flavor-extra-specs-list-resp': ('GET', base, None),
                'flavor-extra-specs-get-resp': (
                    'GET', base + '/hw:numa_nodes', None),
                'flavor-extra-specs-update-resp': (
                    'PUT', base + '/hw:numa_nodes', req_body),
            }.get(name)
        if resource == 'os-services':
            if version_of_tuple(version) == (2, 69):
                raise Skip('needs a cell that does not answer')
            if name == 'services-list-get-resp':
                return ('GET', '/v2.1/os-services', None)
            actions = {'service-disable-put-resp': 'disable',
                       'service-enable-put-resp': 'enable',
                       'service-disable-log-put-resp': 'disable-log-reason',
                       'service-force-down-put-resp': 'force-down'}
            if name not in actions:
                return None
            svc = self.compute_service(version)
            if version_of_tuple(version) >= (2, 53):
                return ('PUT', '/v2.1/os-services/%s' % svc['id'],
                        req_body)
            body = dict(req_body, host=svc['host'])
            return ('PUT', '/v2.1/os-services/%s' % actions[name], body)
        if resource == 'os-hypervisors':
            hyp = self.hypervisor(version)
            h = '/v2.1/os-hypervisors'
            if version_of_tuple(version) >= (2, 53):
                # The search and servers routes became query parameters.
                pattern = '?hypervisor_hostname_pattern=%s' % \
                    hyp['hypervisor_hostname']
                if name == 'hypervisors-search-resp':
                    return ('GET', h + pattern, None)
                if name == 'hypervisors-with-servers-resp':
                    return ('GET', h + pattern + '&with_servers=true',
                            None)
            return {
                'hypervisors-list-resp': ('GET', h, None),
                'hypervisors-detail-resp': ('GET', h + '/detail', None),
                'hypervisors-show-resp': ('GET', '%s/%s' % (h, hyp['id']),
                                          None),
                'hypervisors-statistics-resp': ('GET', h + '/statistics',
                                                None),
                'hypervisors-search-resp': (
                    'GET', '%s/%s/search' % (h, hyp['hypervisor_hostname']),
                    None),
                'hypervisors-with-servers-resp': (
                    'GET', '%s/%s/servers' % (h, hyp['hypervisor_hostname']),
                    None),
                'hypervisors-uptime-resp': (
                    'GET', '%s/%s/uptime' % (h, hyp['id']), None),
                'hypervisors-without-servers-resp': (
                    'GET', h + '?with_servers=false', None),
                'hypervisors-show-with-servers-resp': (
                    'GET', '%s/%s?with_servers=true' % (h, hyp['id']),
                    None),
                'hypervisors-detail-with-servers-resp': (
                    'GET', h + '/detail?with_servers=true', None),
            }.get(name)
        if resource == 'os-migrations':
            return {'migrations-get': ('GET', '/v2.1/os-migrations',
                                       None)}.get(name)
        if resource == 'os-instance-actions':
            actions = s + self.server() + '/os-instance-actions'
            if name == 'instance-actions-list-resp':
                return ('GET', actions, None)
            if name == 'instance-actions-list-with-limit-resp':
                return ('GET', actions + '?limit=1', None)
            if name == 'instance-actions-list-with-marker-resp':
                return ('GET', actions + '?marker=%s'
                        % self.request_id(version), None)
            if name in ('instance-action-get-resp',
                        'instance-action-get-non-admin-resp'):
                return ('GET', '%s/%s' % (actions, self.request_id(
                    version)), None)
            return None
        return None


def version_of_tuple(version):
    return tuple(int(p) for p in version.split('.'))


# os-hypervisors before os-services: the services samples force a compute
# down, and the uptime of a compute that is down is a 400 (as in Nova).
SERVED = ('versions', 'servers', 'flavors', 'flavor-manage',
          'flavor-extra-specs', 'os-hypervisors', 'os-services',
          'os-migrations', 'os-instance-actions')


def cinder_version_of(sample_path):
    parent = os.path.basename(os.path.dirname(sample_path))
    return parent[1:] if parent.startswith('v3.') else '3.0'


def replay_cinder(checkout, endpoint, counts):
    """Cinder's volume, os-services and version samples."""
    samples = os.path.join(checkout, 'api-ref', 'source', 'v3', 'samples')
    client = Client(endpoint, service='volume')
    volume_id = []

    def volume():
        if not volume_id:
            status, body = client.request(
                'POST', '/v3/volumes', {'volume': {'size': 1,
                                                   'name': 'samples'}},
                version='3.0')
            if status != 202:
                raise RuntimeError('cannot create a volume: %s %s'
                                   % (status, body))
            volume_id.append(body['volume']['id'])
        return volume_id[0]

    routes = {
        'volume-create-response': lambda body: (
            'POST', '/v3/volumes', body),
        'volume-show-response': lambda body: (
            'GET', '/v3/volumes/%s' % volume(), None),
        'volumes-list-detailed-response': lambda body: (
            'GET', '/v3/volumes/detail', None),
        'volumes-list-response': lambda body: ('GET', '/v3/volumes', None),
        'services-list-response': lambda body: (
            'GET', '/v3/os-services', None),
        'versions-response': lambda body: ('GET', '/', None),
        'version-show-response': lambda body: ('GET', '/v3', None),
    }
    paths = sorted(glob.glob(os.path.join(samples, '*-response.json')) +
                   glob.glob(os.path.join(samples, '*', '*-response.json')) +
                   glob.glob(os.path.join(samples, '*', 'v3.*',
                                          '*-response.json')))
    for path in paths:
        rel = os.path.relpath(path, samples)
        name = os.path.basename(path)[:-len('.json')]
        if name not in routes:
            continue
        version = cinder_version_of(path)
        req_path = path.replace('-response.json', '-request.json')
        if not os.path.exists(req_path):
            req_path = os.path.join(os.path.dirname(os.path.dirname(path)),
                                    os.path.basename(req_path))
        body = None
        if os.path.exists(req_path):
            with open(req_path) as f:
                body = json.load(f)
            # Sample values migrator has no counterpart for.
            for key in ('imageRef', 'source_volid', 'snapshot_id',
                        'backup_id', 'consistencygroup_id', 'volume_type',
                        'availability_zone'):
                body.get('volume', {}).pop(key, None)
        try:
            method, url, body = routes[name](body)
        except RuntimeError as exc:
            print('skip    cinder %s: %s' % (rel, exc))
            counts['skip'] += 1
            continue
        status, got = client.request(method, url, body, version)
        if name == 'versions-response' and status == 300:
            status = 200  # Cinder lists its versions with a 300 too.
        with open(path) as f:
            expected = json.load(f)
        report(counts, 'cinder ' + rel, method, url, version, status,
               expected, got)


def report(counts, rel, method, url, version, status, expected, got):
    if not 200 <= status < 300:
        print('STATUS  %s: %s %s at %s -> %s %s'
              % (rel, method, url, version, status, json.dumps(got)[:200]))
        counts['STATUS'] += 1
        return
    diff = key_diff(expected, got)
    if not diff:
        print('ok      %s' % rel)
        counts['ok'] += 1
        return
    counts['DIFF'] += 1
    print('DIFF    %s (%s %s at %s)' % (rel, method, url, version))
    for where, missing, extra in diff:
        print('          %s: %s' % (where, ' '.join(
            ['-' + k for k in missing] + ['+' + k for k in extra])))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('nova', help='a checkout of openstack/nova')
    parser.add_argument('endpoint', help='the compute API root, e.g. '
                        'http://127.0.0.1:8774')
    parser.add_argument('--cinder', nargs=2,
                        metavar=('CINDER_CHECKOUT', 'VOLUME_ENDPOINT'),
                        help='also replay Cinder\'s samples against the '
                        'block storage API, e.g. http://127.0.0.1:8776')
    args = parser.parse_args(argv)
    samples = os.path.join(args.nova, 'doc', 'api_samples')
    replayer = Replayer(Client(args.endpoint, 'compute'))
    counts = {'ok': 0, 'DIFF': 0, 'STATUS': 0, 'skip': 0}
    for resource in SERVED:
        paths = sorted(glob.glob(os.path.join(samples, resource,
                                              '*-resp.json')) +
                       glob.glob(os.path.join(samples, resource, 'v*',
                                              '*-resp.json')) +
                       glob.glob(os.path.join(samples, resource,
                                              'migrations-get.json')) +
                       glob.glob(os.path.join(samples, resource, 'v*',
                                              'migrations-get.json')))
        for path in paths:
            rel = os.path.relpath(path, samples)
            name = os.path.basename(path)[:-len('.json')]
            version = version_of(path)
            req_path = path.replace('-resp.json', '-req.json')
            if 'post-resp' in path:
                req_path = path.replace('-post-resp.json',
                                        '-post-req.json')
            req_body = None
            if os.path.exists(req_path):
                with open(req_path) as f:
                    req_body = json.load(f)
            try:
                route = replayer.route(resource, name, version, req_body)
            except (Skip, RuntimeError, KeyError) as exc:
                print('skip    %s: %s' % (rel, exc))
                counts['skip'] += 1
                continue
            if route is None:
                print('skip    %s: no request known for this sample' % rel)
                counts['skip'] += 1
                continue
            method, url, body = route
            token = ADMIN
            if 'non-admin' in name or (
                    resource == 'servers' and
                    version_of_tuple(version) >= (2, 90)):
                token = MEMBER
            status, got = replayer.client.request(method, url, body,
                                                  version, token)
            with open(path) as f:
                expected = json.load(f)
            report(counts, rel, method, url, version, status, expected,
                   got)
    if args.cinder:
        replay_cinder(args.cinder[0], args.cinder[1], counts)
    print('%(ok)d ok, %(DIFF)d with other keys, %(STATUS)d failed, '
          '%(skip)d skipped' % counts)
    return 1 if counts['DIFF'] or counts['STATUS'] else 0


if __name__ == '__main__':
    sys.exit(main())
