"""Readers and writers that stream through a child process's pipes
(``daxio`` locally, ``ssh`` to a remote host). Every command is an argv
list; stderr and small outputs go to temporary files so that no pipe can
fill up and stall the stream.
"""
import subprocess
import tempfile

from migrator.transfer import agent
from migrator.transfer import base
from migrator.transfer import errors

#: Seconds an aborted writer's process gets to clean up after its input
#: was closed before it is killed.
ABORT_TIMEOUT = 120


def _text(stream):
    stream.seek(0)
    return stream.read().decode(errors='replace')


def _tail(text, lines=5):
    text = '\n'.join(line for line in text.strip().splitlines()
                     if not line.startswith('checksum '))
    return ' '.join(text.splitlines()[-lines:]) or 'no message'


def _checksum(text):
    for line in reversed(text.splitlines()):
        if line.startswith('checksum '):
            return line.split(None, 1)[1].strip()
    return None


def _stop(proc, timeout):
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class ProcessReader(base.Reader):
    """Reads a child's stdout. With ``reports_checksum`` the child prints
    ``checksum <hex>`` of what it sent on stderr at the end. ``explain``
    turns the child's last words into the error message.
    """

    def __init__(self, argv, what, reports_checksum=False, explain=None):
        self.what = what
        self._explain = explain or (lambda message: message)
        self._reports = reports_checksum
        self._stderr = tempfile.TemporaryFile()
        try:
            self._proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=self._stderr, bufsize=0)
        except OSError as exc:
            self._stderr.close()
            raise errors.CopyFailed('%s could not start: %s' % (what, exc))
        agent.enlarge_pipe(self._proc.stdout.fileno())

    def readinto(self, view):
        return self._proc.stdout.readinto(view)

    def close(self):
        self._proc.stdout.close()
        rc = self._proc.wait()
        text = _text(self._stderr)
        self._stderr.close()
        if rc:
            raise errors.CopyFailed('%s failed (exit status %d): %s' %
                                    (self.what, rc,
                                     self._explain(_tail(text))))
        return _checksum(text) if self._reports else None

    def abort(self):
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._proc.stdout.close()
        self._stderr.close()


class ProcessWriter(base.Writer):
    """Writes into a child's stdin. With ``reports_checksum`` the child
    prints ``checksum <hex>`` of what it received on stdout at the end.
    ``explain`` as for ``ProcessReader``.
    """

    def __init__(self, argv, what, reports_checksum=False, explain=None):
        self.what = what
        self._explain = explain or (lambda message: message)
        self._reports = reports_checksum
        self._stdout = tempfile.TemporaryFile()
        self._stderr = tempfile.TemporaryFile()
        self.returncode = None
        try:
            self._proc = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=self._stdout,
                stderr=self._stderr, bufsize=0)
        except OSError as exc:
            self._stdout.close()
            self._stderr.close()
            raise errors.CopyFailed('%s could not start: %s' % (what, exc))
        self._fd = self._proc.stdin.fileno()
        agent.enlarge_pipe(self._fd)

    def write(self, view):
        try:
            agent.write_all(self._fd, view)
        except BrokenPipeError:
            self._proc.stdin.close()
            _stop(self._proc, 30)
            raise errors.CopyFailed('%s failed (exit status %s): %s' % (
                self.what, self._proc.returncode,
                self._explain(_tail(self.stderr()))))

    def stdout(self):
        return _text(self._stdout)

    def stderr(self):
        return _text(self._stderr)

    def finish(self):
        self._proc.stdin.close()
        rc = self.returncode = self._proc.wait()
        if rc:
            raise errors.CopyFailed('%s failed (exit status %d): %s' %
                                    (self.what, rc,
                                     self._explain(_tail(self.stderr()))))
        if not self._reports:
            return None
        checksum = _checksum(self.stdout())
        if checksum is None:
            raise errors.CopyFailed('%s reported no checksum: %s' %
                                    (self.what, _tail(self.stderr())))
        return checksum

    def abort(self):
        """Close the child's input (a remote writer sees the stream end
        early and cleans up), give it ABORT_TIMEOUT seconds, then kill it.
        """
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        _stop(self._proc, ABORT_TIMEOUT)
        self.returncode = self._proc.returncode
