"""Local endpoints: a file or block device, and device-dax via daxio."""
import os
import stat

from migrator.transfer import agent
from migrator.transfer import base
from migrator.transfer import errors
from migrator.transfer import process


class LocalFile(base.Endpoint):
    """A regular file or a block device on this host.

    As a sink, a file that does not exist is created (mode 0600) and
    deleted again if the copy fails; one that exists (a file-backed
    namespace, a block device) is overwritten in place from its start,
    keeps its size if larger, and is zeroed over the copied range if the
    copy fails. The data is fsync'ed once, after the last write, before
    the copy reports success (unless the copy is asked not to sync).
    """
    kind = 'file'

    def __init__(self, path):
        self.path = os.fspath(path)

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.path)

    def __str__(self):
        return self.path

    def size(self):
        return agent.size_of('file', self.path)

    def open_reader(self, length, checksum):
        return _FileReader(self.path)

    def open_writer(self, length, checksum, sync=True):
        return _FileWriter(self.path, length, sync)

    def zero(self, length=None):
        agent.zero('file', self.path, length)

    def delete(self):
        try:
            mode = os.stat(self.path).st_mode
        except FileNotFoundError:
            return
        if not stat.S_ISREG(mode):
            return super().delete()
        os.unlink(self.path)


class _FileReader(base.Reader):
    def __init__(self, path):
        self._file = open(path, 'rb', buffering=0)

    def readinto(self, view):
        return self._file.readinto(view)

    def close(self):
        self._file.close()
        return None

    def abort(self):
        self._file.close()


class _FileWriter(base.Writer):
    def __init__(self, path, length, sync):
        self.length = length
        self._sink = agent.FileSink(path, sync)
        self.created = self._sink.created
        self.write = self._sink.write

    def finish(self):
        self._sink.finish()
        return None

    def abort(self):
        try:
            self._sink.close()
        except OSError:
            pass

    def discard(self):
        agent.discard('file', self._sink.path, self.length, self.created)


class DaxDevice(base.Endpoint):
    """A device-dax namespace (``/dev/daxX.Y``) on this host, read,
    written and zeroed with ``daxio`` (Debian's pmdk-tools); its size is
    read from sysfs. A failed copy into it zeroes the copied range.
    """
    kind = 'dax'

    def __init__(self, path):
        self.path = os.fspath(path)

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.path)

    def __str__(self):
        return self.path

    def size(self):
        return agent.size_of('dax', self.path)

    def open_reader(self, length, checksum):
        return process.ProcessReader(
            agent.daxio_argv('-i', self.path, '-l', length),
            'daxio reading %s' % self.path)

    def open_writer(self, length, checksum, sync=True):
        # daxio makes what it wrote persistent itself.
        writer = process.ProcessWriter(
            agent.daxio_argv('-o', self.path, '-l', length),
            'daxio writing %s' % self.path)
        writer.discard = lambda: self.zero(length)
        return writer

    def zero(self, length=None):
        try:
            agent.zero('dax', self.path, length)
        except (agent.Failure, OSError) as exc:
            raise errors.CopyFailed('zeroing %s failed: %s' %
                                    (self.path, exc))
