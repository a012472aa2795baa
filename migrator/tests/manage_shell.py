"""migrator-manage commands for a test's deployment, run one after another
in one long-lived process.

Each ``migrator-manage`` process spends about a second of CPU importing
before it does anything, and an integration test's set-up runs a dozen of
them (schemas, cells, flavors, then ``service list`` polled until the
services are up): on a two-core machine that was a third of each test.
Tests that are not about the commands themselves run them here instead;
``migrator-manage``'s own ``main`` runs each, so the arguments, output and
exit status are the command's.

The process reads one JSON list of arguments per line on its standard
input and answers each with one JSON line ``{"code", "stdout",
"stderr"}``; its own file descriptor 1 is sent to its log (stderr), so
nothing a library writes there can garble the answers.
"""
import contextlib
import io
import json
import os
import select
import subprocess
import sys
import time

import fixtures
from testtools import content


def _run(argv):
    from migrator.cmd import manage

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = manage.main(['migrator-manage'] + argv)
        except SystemExit as exc:  # argparse and common.fail exit
            code = exc.code if isinstance(exc.code, int) else 1
    return {'code': code or 0, 'stdout': out.getvalue(),
            'stderr': err.getvalue()}


def serve():
    answers = os.fdopen(os.dup(1), 'w')
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    for line in sys.stdin:
        answers.write(json.dumps(_run(json.loads(line))) + '\n')
        answers.flush()


class ManageShell(fixtures.Fixture):
    """The long-lived process; ``run(argv, timeout)`` is
    ``(returncode, stdout, stderr)`` as from a ``migrator-manage`` process
    given ``argv``."""

    def __init__(self, log_path):
        super().__init__()
        self.log_path = log_path

    def _setUp(self):
        log = open(self.log_path, 'ab')
        self.addCleanup(log.close)
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'migrator.tests.manage_shell'],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            text=True)
        self.addCleanup(self._stop)
        self.addCleanup(self._attach_log)

    def _attach_log(self):
        with open(self.log_path, errors='replace') as f:
            self.addDetail('log-manage-shell',
                           content.text_content(f.read()))

    def _stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)

    def run(self, argv, timeout):
        self.proc.stdin.write(json.dumps(list(argv)) + '\n')
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while not select.select([self.proc.stdout], [], [],
                                max(0, deadline - time.monotonic()))[0]:
            if time.monotonic() >= deadline:
                self.proc.kill()
                raise AssertionError('migrator-manage %s: no answer in %s s'
                                     % (' '.join(argv), timeout))
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError('migrator-manage %s: the process running '
                                 'it exited (%s); see its log %s' % (
                                     ' '.join(argv), self.proc.wait(10),
                                     self.log_path))
        answer = json.loads(line)
        return answer['code'], answer['stdout'], answer['stderr']


if __name__ == '__main__':
    serve()
