"""A small compute API client for tests that drive real processes over
HTTP (as admin, noauth2), and a poller for what they wait on."""
import json
import time
import urllib.error
import urllib.request


class ComputeClient:
    def __init__(self, port, token='admin:admin'):
        self.url = 'http://127.0.0.1:%d/v2.1' % port
        self.token = token

    def request(self, method, path, body=None, version='2.80'):
        """(status, JSON body or None) of one request."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={'X-Auth-Token': self.token,
                     'Content-Type': 'application/json',
                     'OpenStack-API-Version': 'compute %s' % version})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                text = resp.read()
                return resp.status, json.loads(text) if text else None
        except urllib.error.HTTPError as exc:
            text = exc.read()
            return exc.code, json.loads(text) if text else None


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
