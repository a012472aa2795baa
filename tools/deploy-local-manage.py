"""The migrator-manage steps of tools/deploy-local.sh, each in one Python
process: importing migrator costs seconds of CPU, and one process per
command (a dozen at every start, and one per poll of the service list)
made start-up take minutes on a busy machine.

  deploy-local-manage.py setup CONF DB_SERVER PREFIX
      Create the databases PREFIX_api, PREFIX and PREFIX_cell0 if missing;
      then, as ``migrator-manage --config-file CONF`` would: api_db sync,
      cell_v2 map_cell0, db sync, cell_v2 create_cell --name cell1 and
      the flavors m1.tiny and m1.small (each only if missing).

  deploy-local-manage.py ready CONF DIR SINCE TIMEOUT API_PORT NAME...
      Wait (polling every 0.2 s, at most TIMEOUT s) until each service
      NAME (conductorN or computeN, its host) has reported since SINCE
      (seconds since the epoch: when they were started) and each compute
      has recorded its compute node (it serves RPC by then); fail at
      once, naming its log, if the process of a NAME (DIR/run/NAME.pid)
      or of the API has exited. Then cell_v2 discover_hosts, wait for the
      API's /healthcheck on API_PORT, and print the service list and the
      /healthcheck answer.

Exit status: 0, or the failing command's, or 1 when a service did not
come up.
"""
import contextlib
import datetime
import io
import os
import sys
import time
import urllib.error
import urllib.request

POLL = 0.2


def say(message):
    print('==> %s' % message, flush=True)


def manage(conf, *args, quiet=False):
    """``migrator-manage --config-file CONF ARGS`` in this process; its
    output (printed unless ``quiet``). Exits with its status if not 0."""
    from migrator.cmd import manage as manage_cmd
    out = io.StringIO()
    argv = ['migrator-manage', '--config-file', conf] + list(args)
    redirect = (contextlib.redirect_stdout(out) if quiet
                else contextlib.nullcontext())
    with redirect:
        code = manage_cmd.main(argv)
    sys.stdout.flush()
    if code:
        sys.stdout.write(out.getvalue())
        say('migrator-manage %s failed (exit %s)' % (' '.join(args), code))
        sys.exit(code)
    return out.getvalue()


def create_databases(server, prefix):
    import sqlalchemy as sa
    engine = sa.create_engine(server + '/', isolation_level='AUTOCOMMIT',
                              poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        for name in (prefix + '_api', prefix, prefix + '_cell0'):
            conn.execute(sa.text('CREATE DATABASE IF NOT EXISTS %s' % name))


def setup(conf, server, prefix):
    create_databases(server, prefix)
    manage(conf, 'api_db', 'sync')
    manage(conf, 'cell_v2', 'map_cell0', '--database_connection',
           '%s/%s_cell0?charset=utf8mb4' % (server, prefix))
    manage(conf, 'db', 'sync')
    if ' cell1 ' not in manage(conf, 'cell_v2', 'list_cells', quiet=True):
        manage(conf, 'cell_v2', 'create_cell', '--name', 'cell1')
    flavors = manage(conf, 'flavor', 'list', quiet=True)
    if ' m1.tiny ' not in flavors:
        manage(conf, 'flavor', 'create', 'm1.tiny', '--ram', '512',
               '--vcpus', '1', '--disk', '1', '--id', '1')
    if ' m1.small ' not in flavors:
        manage(conf, 'flavor', 'create', 'm1.small', '--ram', '2048',
               '--vcpus', '1', '--disk', '20', '--id', '2')
    return 0


def _alive(run_dir, name):
    try:
        with open(os.path.join(run_dir, name + '.pid')) as f:
            pid = int(f.read())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return False
    # A child that exited but was not reaped yet is a zombie.
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return True


def _healthcheck(port):
    try:
        with urllib.request.urlopen(
                'http://127.0.0.1:%s/healthcheck' % port, timeout=5) as r:
            return r.status, r.read().decode(errors='replace')
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors='replace')
    except OSError:
        return None, 'down'


def _wait_services(deploy_dir, since, deadline, names):
    from oslo_utils import timeutils

    from migrator import context
    from migrator.objects import compute_node as node_obj
    from migrator.objects import service as service_obj

    ctxt = context.get_admin_context()
    run_dir = os.path.join(deploy_dir, 'run')
    computes = {n for n in names if n.startswith('compute')}
    while True:
        for name in names + ['api']:
            if not _alive(run_dir, name):
                say('%s exited during start-up: see %s' % (
                    name, os.path.join(deploy_dir, 'log', name + '.log')))
                return 1
        reported = {
            s.host for s in service_obj.ServiceList.get_all(ctxt)
            if s.is_up and s.last_seen_up is not None and
            timeutils.normalize_time(s.last_seen_up) >= since}
        nodes = {n.host for n in node_obj.ComputeNodeList.get_all(ctxt)}
        waiting = sorted((set(names) - reported) | (computes - nodes))
        if not waiting:
            return 0
        if time.monotonic() > deadline:
            say('only %d of %d services up after the time allowed; not '
                'up: %s' % (len(names) - len(waiting), len(names),
                            ', '.join(waiting)))
            return 1
        time.sleep(POLL)


def ready(conf, deploy_dir, since, timeout, port, names):
    from migrator.cmd import common

    deadline = time.monotonic() + float(timeout)
    began = float(since)
    since = datetime.datetime.fromtimestamp(
        int(began), datetime.timezone.utc).replace(tzinfo=None)
    common.parse_args(['deploy-local-manage', '--config-file', conf],
                      'deploy-local.sh: wait for the services')
    code = _wait_services(deploy_dir, since, deadline, names)
    if not code:
        say('%d services up %.1f s after they were started' % (
            len(names), time.time() - began))
        manage(conf, 'cell_v2', 'discover_hosts')
        while (_healthcheck(port)[0] != 200 and
               time.monotonic() < deadline):
            time.sleep(POLL)
        say('the API answered %.1f s after it was started' % (
            time.time() - began))
    manage(conf, 'service', 'list')
    status, body = _healthcheck(port)
    print('API /healthcheck: %s' % body, flush=True)
    if status != 200 and not code:
        say('the API does not answer /healthcheck: see %s' %
            os.path.join(deploy_dir, 'log', 'api.log'))
        code = 1
    return code


def main(argv):
    if len(argv) == 4 and argv[0] == 'setup':
        return setup(*argv[1:])
    if len(argv) >= 6 and argv[0] == 'ready':
        return ready(argv[1], argv[2], argv[3], argv[4], argv[5],
                     argv[6:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
