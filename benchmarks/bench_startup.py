"""migrator-all from start to its first answer, and its memory, against
floors (issue 14, item 7).

  import      ``python -c 'import migrator'``: the interpreter and the
              package, nothing started
  bare WSGI   a one-line WSGI app under wsgiref on a free port: process
              start to the first 200
  all         ``migrator-all`` (2 simulated computes, SQLite, in-process
              transport): process start to the first answer of
              ``GET /v2.1``; RSS (with its children) idle, and again with
              1,000 servers booted (20 with --quick)

Ratios: start-up and idle RSS of migrator-all against the bare WSGI app,
and RSS growth per server. Reported, no target in the issue.

    python -m benchmarks.bench_startup [--quick]
"""
import statistics
import subprocess
import sys
import time

from benchmarks import common

NAME = 'startup'

BARE_WSGI = '''
import sys
from wsgiref.simple_server import make_server, WSGIRequestHandler
class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass
def app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [b'{}']
make_server('127.0.0.1', int(sys.argv[1]), app,
            handler_class=Quiet).serve_forever()
'''


def time_import():
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, '-c', 'import migrator, resource; print(resource.'
         'getrusage(resource.RUSAGE_SELF).ru_maxrss)'],
        capture_output=True, text=True, check=True)
    return time.perf_counter() - start, int(out.stdout)


def bare_wsgi():
    port = common.free_port()
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, '-c', BARE_WSGI, str(port)],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        common.wait_http(port, 60)
        seconds = time.perf_counter() - start
        return seconds, common.rss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait()


# Two simulated hosts big enough for the full run's 1,000 servers (the
# default fake host takes 64 vCPUs at the default allocation ratio).
BIG_HOSTS = """
vcpus = 1024
memory_mb = 2097152
local_gb = 100000
"""


def migrator_all(servers):
    all_ = common.MigratorAll(computes=2,
                              extra_conf=common.FAST_CONF + BIG_HOSTS)
    try:
        seconds = all_.wait()
        time.sleep(2)       # the services' first periodic tasks
        idle = common.rss_kib(all_.proc.pid)
        started = time.perf_counter()
        common.boot_servers(all_.port, servers, concurrency=8)
        boot_s = time.perf_counter() - started
        client = common.Client(all_.port)
        # Touch what a user lists, then measure.
        client.request('GET', '/servers/detail?limit=1000')
        loaded = common.rss_kib(all_.proc.pid)
        return seconds, idle, loaded, boot_s
    finally:
        all_.stop()


def run(quick=False):
    rounds = 1 if quick else 5
    servers = 20 if quick else 1000
    imports = [time_import() for _ in range(rounds)]
    bares = [bare_wsgi() for _ in range(rounds)]
    starts = [migrator_all(servers if i == 0 else 1)
              for i in range(1 if quick else 3)]
    first = starts[0]
    figures = {
        'import_s': round(statistics.median(i[0] for i in imports), 3),
        'import_maxrss_kib': statistics.median(i[1] for i in imports),
        'bare_wsgi_first_answer_s': round(
            statistics.median(b[0] for b in bares), 3),
        'bare_wsgi_rss_kib': statistics.median(b[1] for b in bares),
        'all_first_answer_s': round(
            statistics.median(s[0] for s in starts), 3),
        'all_rss_idle_kib': statistics.median(s[1] for s in starts),
        'servers': servers,
        'all_rss_with_servers_kib': first[2],
        'boot_servers_s': round(first[3], 1),
        'boot_servers_per_s': round(servers / first[3], 1),
    }
    per_server = (first[2] - first[1]) / servers
    figures['rss_kib_per_server'] = round(per_server, 2)
    ratios = [
        common.ratio('migrator-all first answer / bare WSGI',
                     figures['all_first_answer_s'] /
                     figures['bare_wsgi_first_answer_s'], 'report', True),
        common.ratio('migrator-all first answer / import migrator',
                     figures['all_first_answer_s'] / figures['import_s'],
                     'report', True),
        common.ratio('migrator-all idle RSS / bare WSGI RSS',
                     figures['all_rss_idle_kib'] /
                     figures['bare_wsgi_rss_kib'], 'report', True),
        common.ratio('RSS with %d servers / idle' % servers,
                     first[2] / first[1], 'report', True),
    ]
    return {'name': NAME, 'figures': figures, 'ratios': ratios,
            'notes': ['RSS of migrator-all includes its child processes; '
                      'issue 14 sets no target for item 7']}


def main(argv=None):
    return common.main(run, __doc__, argv)


if __name__ == '__main__':
    sys.exit(main())
