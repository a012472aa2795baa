#!/usr/bin/env python3
"""Hand-written hostile requests against a running compute API and block
storage API (issue 13), over raw sockets so that lying headers reach the
server as sent.

    tools/hostile-requests.py http://127.0.0.1:8774 http://127.0.0.1:8776

Each request must get an answer (no dropped connection) that is not a
5xx, and each 4xx must carry Nova's (Cinder's) error body; after all of
them, and while slow clients hold connections open, both APIs must still
answer. Prints one line per failure and a summary; exits 1 on any
failure.
"""
import json
import socket
import sys
import threading
import time
from urllib import parse

ADMIN = 'admin:admin'
UUID = '7b8c2fde-6a2c-4b9e-9d0b-3f0c1f3f6b11'


def raw(url, method, path, body=b'', headers=(), length=None,
        timeout=60):
    """(status, body bytes) of one request; status None when the
    connection was dropped without an answer."""
    parts = parse.urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port),
                                    timeout=timeout)
    try:
        if isinstance(body, str):
            body = body.encode()
        lines = ['%s %s HTTP/1.1' % (method, path),
                 'Host: %s' % parts.netloc, 'Connection: close',
                 'X-Auth-Token: %s' % ADMIN,
                 'Content-Type: application/json',
                 'Content-Length: %s' % (len(body) if length is None
                                         else length)]
        lines += ['%s: %s' % h for h in headers]
        sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode() + body)
        data = b''
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            data += chunk
    finally:
        sock.close()
    if not data:
        return None, b''
    head, _, rest = data.partition(b'\r\n\r\n')
    return int(head.split(b' ', 2)[1]), rest


def problem(status, body):
    if status is None:
        return 'connection dropped without an answer'
    if status >= 500:
        return '%d: %r' % (status, body[:200])
    if status >= 400:
        try:
            fault = json.loads(body)
        except ValueError:
            return '%d without a JSON body: %r' % (status, body[:200])
        if not (isinstance(fault, dict) and len(fault) == 1):
            return '%d body is not a fault: %r' % (status, body[:200])
        inner = next(iter(fault.values()))
        if not isinstance(inner, dict) or inner.get('code') != status:
            return '%d fault without its code: %r' % (status, body[:200])
    return None


def deep(n):
    return '[' * n + ']' * n


def compute_cases():
    v = '/v2.1'
    flavor = {'name': 'f', 'ram': 1, 'vcpus': 1, 'disk': 1}

    def flav(**kw):
        return json.dumps({'flavor': dict(flavor, **kw)})
    yield 'POST', v + '/servers/%s/action' % UUID, deep(10000), {}
    yield 'POST', v + '/flavors', '{"a":' * 5000 + '1' + '}' * 5000, {}
    yield 'POST', v + '/flavors', '{"flavor": ', {}
    yield 'POST', v + '/flavors', '\xff\xfe', {}
    yield 'POST', v + '/flavors', '[]', {}
    yield 'POST', v + '/flavors', '"flavor"', {}
    yield 'POST', v + '/flavors', 'null', {}
    for value in (2 ** 31, 2 ** 64, -1, -2 ** 63, '9' * 5000, 1e400, 'NaN',
                  '1.5', True, None, [], {}):
        yield 'POST', v + '/flavors', flav(ram=value), {}
    yield 'POST', v + '/flavors', flav(rxtx_factor=1e39), {}
    yield 'POST', v + '/flavors', flav(unknown='x'), {}
    yield 'POST', v + '/flavors', flav(name='x' * 100000), {}
    yield 'POST', v + '/servers', json.dumps(
        {'server': {'name': 's', 'flavorRef': '1', 'min_count': 2 ** 64,
                    'networks': 'none'}}), {}
    yield 'POST', v + '/servers', json.dumps(
        {'server': {'name': 's', 'flavorRef': 'x' * 5000,
                    'networks': 'none'}}), \
        {'OpenStack-API-Version': 'compute 2.37'}
    for header in ('', 'compute', 'foo 2.34', 'compute 2.' + '0' * 30 + '34',
                   'compute 2.34,compute 2.35', 'compute 99.99',
                   'compute \x01', 'compute 2.1' + ' ' * 1000):
        yield 'GET', v + '/servers', '', {'OpenStack-API-Version': header}
    for path in ('/servers/not-a-uuid', '/servers/%s' % ('x' * 5000),
                 '/servers?marker=not-a-uuid',
                 '/servers?limit=-1', '/servers?limit=%d' % 2 ** 64,
                 '/servers?limit=abc', '/servers?changes-since=yesterday',
                 '/servers?changes-since=2026-13-45T99:99:99Z',
                 '/servers/detail?sort_key=%00', '/flavors?minRam=%d'
                 % 2 ** 70, '/flavors?marker=nope',
                 '/os-migrations?limit=1&marker=nope',
                 '/os-migrations?changes-since=not-a-date',
                 '/os-hypervisors/%d' % 2 ** 70,
                 '/servers/%s/migrations/%d' % (UUID, 2 ** 70),
                 '/os-services/%d' % 2 ** 70,
                 '/servers?' + 'a=b&' * 2000):
        yield 'GET', v + path, '', {'OpenStack-API-Version': 'compute 2.80'}
    yield 'DELETE', v + '/os-services/%d' % 2 ** 70, '', {}


def volume_cases():
    for path in ('/v3/volumes', '/v3/admin/volumes'):
        yield 'POST', path, deep(10000), {}
        for size in (2 ** 31, str(2 ** 64), -1, 0, 1e400):
            yield 'POST', path, json.dumps({'volume': {'size': size}}), {}
    yield 'POST', '/v3/volumes/%s/action' % UUID, deep(10000), {}
    yield 'POST', '/v3/volumes/%s/action' % UUID, '{"os-nope": {}}', {}
    for header in ('', 'volume', 'volume 3.' + '0' * 30 + '50',
                   'volume 3.50,volume 3.51', 'volume 9.9'):
        yield 'GET', '/v3/volumes', '', {'OpenStack-API-Version': header}
    for path in ('/v3/volumes/not-a-uuid', '/v3/volumes?limit=-1',
                 '/v3/volumes?marker=nope', '/v3/volumes?sort=%00:x'):
        yield 'GET', path, '', {}


def lying_length(url, path):
    """Content-Length far above and a little above the body."""
    yield raw(url, 'POST', path, b'{}', length=999999999)
    yield raw(url, 'POST', path, b'{}', length=1000)


def slow_clients(url, count, seconds):
    """Open ``count`` connections that send a header and then nothing
    for ``seconds``; returns the threads."""
    parts = parse.urlsplit(url)

    def hold():
        try:
            sock = socket.create_connection((parts.hostname, parts.port))
            sock.sendall(b'POST /v2.1/flavors HTTP/1.1\r\nHost: x\r\n')
            time.sleep(seconds)
            sock.close()
        except OSError:
            pass
    threads = [threading.Thread(target=hold, daemon=True)
               for _ in range(count)]
    for t in threads:
        t.start()
    return threads


def main(argv):
    compute_url, volume_url = argv[1], argv[2]
    failures = []
    total = 0
    for url, cases in ((compute_url, compute_cases()),
                       (volume_url, volume_cases())):
        for method, path, body, headers in cases:
            total += 1
            status, answer = raw(url, method, path, body,
                                 tuple(headers.items()))
            what = problem(status, answer)
            if what:
                failures.append('%s %s%s: %s' % (method, url, path[:80],
                                                 what))
        for status, answer in lying_length(
                url, '/v2.1/flavors' if url == compute_url
                else '/v3/volumes'):
            total += 1
            what = problem(status, answer)
            if what:
                failures.append('lying Content-Length on %s: %s'
                                % (url, what))
    # Slow clients hold connections; the APIs still answer others.
    threads = slow_clients(compute_url, 8, 5)
    time.sleep(0.5)
    for url, path in ((compute_url, '/v2.1/flavors'),
                      (volume_url, '/v3/volumes')):
        total += 1
        status, answer = raw(url, 'GET', path)
        if status != 200:
            failures.append('%s%s while slow clients wait: %s %r'
                            % (url, path, status, answer[:200]))
    for t in threads:
        t.join()
    for line in failures:
        print('FAIL', line)
    print('hostile requests: %d sent, %d failures' % (total, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
