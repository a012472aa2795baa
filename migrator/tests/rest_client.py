"""One JSON-over-HTTP client for tests that drive the compute or block
storage API over real HTTP (noauth2 tokens ``user:project``), and a
poller for what they wait on."""
import json
import time
import urllib.error
import urllib.request

#: The service types a client speaks, as OpenStack-API-Version names
#: them.
SERVICE_TYPES = ('compute', 'volume')


class RESTClient:
    """Requests to one API: ``service_type`` ('compute' or 'volume')
    names it in the OpenStack-API-Version header, ``url`` is its base
    (``http://127.0.0.1:8776/v3``), ``token`` the X-Auth-Token sent
    unless a request names another, ``headers`` more headers sent with
    every request. ``version`` is the microversion asked for when a
    request names none (None: no header, the API's minimum)."""

    def __init__(self, service_type, url, token='admin:admin', headers=None,
                 version=None, timeout=30):
        if service_type not in SERVICE_TYPES:
            raise ValueError('service type %r is not one of %s'
                             % (service_type, ', '.join(SERVICE_TYPES)))
        self.service_type = service_type
        self.url = url.rstrip('/')
        self.token = token
        self.headers = dict(headers or {})
        self.version = version
        self.timeout = timeout

    def request(self, method, path, body=None, version=None, token=None,
                headers=None):
        """(status, JSON body or None) of one request (``version`` fourth,
        as the real-process scenarios pass it)."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data,
                                     method=method)
        sent = dict(self.headers)
        sent['X-Auth-Token'] = token or self.token
        if data is not None:
            sent['Content-Type'] = 'application/json'
        version = version or self.version
        if version:
            sent['OpenStack-API-Version'] = '%s %s' % (self.service_type,
                                                       version)
        sent.update(headers or {})
        for name, value in sent.items():
            req.add_header(name, value)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                text = resp.read()
                return resp.status, json.loads(text) if text else None
        except urllib.error.HTTPError as exc:
            text = exc.read()
            return exc.code, json.loads(text) if text else None


class ComputeClient(RESTClient):
    """The compute API of a process listening on 127.0.0.1:``port``, at
    microversion 2.80 unless a request asks for another."""

    def __init__(self, port, token='admin:admin'):
        super().__init__('compute', 'http://127.0.0.1:%d/v2.1' % port,
                         token=token, version='2.80')


def wait_for(predicate, timeout, what, interval=0.2):
    """The first true value of ``predicate()``; fails the test, naming
    ``what``, after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %ss waiting for %s'
                                 % (timeout, what))
        time.sleep(interval)


class ComputeAPIHelpers(object):
    """Requests and waits for a test whose compute API listens on
    127.0.0.1:``self.api_port`` (the real-process scenarios)."""

    def http(self, method, path, body=None, version='2.80'):
        return ComputeClient(self.api_port).request(
            method, path, body, version)

    def wait(self, predicate, timeout, what):
        return wait_for(predicate, timeout, what, 0.3)

    def server(self, server_id):
        return self.http('GET', '/servers/%s' % server_id)[1]['server']

    def migrations(self, server_id):
        return self.http('GET', '/os-migrations?instance_uuid=%s'
                         % server_id)[1]['migrations']
