"""The far side of a copy over SSH: one fixed program, standard library only.

``migrator.transfer.ssh`` runs this file's source on the remote host as
``python3 -c <this source> MODE KIND PATH [LENGTH CHECKSUM]`` (every
argument shlex-quoted; no shell text is ever built from data). The local
endpoints import it too for the helpers they share (checksums, sizes,
zeroing). KIND is ``file`` (a regular file or block device) or ``dax``
(a device-dax character device, read and written with ``daxio``).

Modes:

``write``   read exactly LENGTH bytes from stdin into PATH (created if it
            does not exist; an existing one is overwritten in place from
            its start), fsync once at the end (unless a last argument
            is ``nosync``),
            then print ``checksum <hex>`` of what it received and wrote.
            Before the data it prints ``created`` or
            ``existing``. If stdin ends early or anything fails, it cleans
            up (deletes a file it created; zeroes the range otherwise),
            prints ``discarded`` and exits 3.
``read``    write the first LENGTH bytes of PATH to stdout; then print
            ``checksum <hex>`` of what it sent on stderr. Exits 3 if PATH
            is shorter.
``size``    print the size of PATH in bytes.
``zero``    zero the first LENGTH bytes of PATH (``-`` = all of it).
``discard`` clean up after a failed write: ``discard KIND PATH LENGTH
            created|existing`` deletes or zeroes.
``delete``  remove PATH (a regular file); absent is fine.
``checksums`` print the names of the checksums ``auto`` chooses from
            that this Python can compute, preferred first (``checksums - -``;
            KIND and PATH are ignored): how the local side learns, once
            per host, whether the far end has the xxhash module.
"""
import hashlib
import os
import signal
import stat
import subprocess
import sys
import zlib

#: Bytes the agent moves at a time. Small on purpose: a 64 KiB buffer
#: stays in the CPU's cache between the read from the pipe, the checksum
#: and the write, where a 4 MiB one is fetched from memory on each of the
#: three (measured: 4 MiB buffers cost the agent 1.5-1.9 CPU s/GiB,
#: 64 KiB ones 1.1-1.4, cat 0.9-1.1; see bench_data_copy).
BUFFER_SIZE = 64 * 1024
#: stdin/stdout pipes are enlarged to this (fewer switches between ssh
#: and the agent).
PIPE_SIZE = 1024 * 1024
SYSFS = '/sys'
FAILED = 3


class Crc32(object):
    """zlib's CRC-32 with a hashlib-like interface."""
    name = 'crc32'

    def __init__(self):
        self.value = 0

    def update(self, data):
        self.value = zlib.crc32(data, self.value)

    def hexdigest(self):
        return '%08x' % self.value


class NoChecksum(object):
    """Verification off: hashes nothing."""
    name = 'none'

    def update(self, data):
        pass

    def hexdigest(self):
        return None


def new_checksum(name):
    """A hash object for ``name``: 'crc32', 'none', 'xxh3_128' / 'xxh64'
    (the xxhash module: Debian's python3-xxhash) or a hashlib name.
    ValueError if this Python cannot compute it.
    """
    if name == 'crc32':
        return Crc32()
    if name in (None, 'none'):
        return NoChecksum()
    if name.startswith('xxh'):
        try:
            import xxhash
            return getattr(xxhash, name)()
        except (ImportError, AttributeError) as exc:
            raise ValueError('checksum %s needs the xxhash module (Debian: '
                             'python3-xxhash; pip: xxhash): %s' % (name, exc))
    return hashlib.new(name)


#: What [transfer] checksum = auto chooses from, preferred first: XXH3
#: when the xxhash module is there, else CRC-32 (always there).
AUTO_CHOICES = ('xxh3_128', 'crc32')


def supported_checksums():
    """The names in ``AUTO_CHOICES`` this Python can compute."""
    names = []
    for name in AUTO_CHOICES:
        try:
            new_checksum(name)
        except ValueError:
            continue
        names.append(name)
    return names


class Failure(Exception):
    pass


def spare_core():
    """Whether a core was idle on average over the last minute."""
    try:
        return (os.cpu_count() or 1) - os.getloadavg()[0] >= 1.0
    except OSError:
        return False


class Buffers(object):
    """Two buffers used in turn. When a core is spare (``spare_core()``
    when the copy starts), the checksum of each runs in a thread while the
    next is read and this one written (hashlib and zlib release the GIL),
    so that verifying costs little time; on a busy host the thread would
    only add switching, and the checksum runs inline. ``next()`` returns a
    buffer whose last checksum update is done.
    """

    def __init__(self, size, checksum, thread=None):
        self.checksum = checksum
        self._views = [memoryview(bytearray(size)) for _ in range(2)]
        self._done = [None, None]
        self._turn = 0
        self._thread = None
        if thread is None:
            thread = size >= 256 * 1024 and spare_core()
        if thread and not isinstance(checksum, NoChecksum):
            import concurrent.futures
            self._thread = concurrent.futures.ThreadPoolExecutor(1)

    def next(self):
        self._turn ^= 1
        self._wait(self._turn)
        return self._views[self._turn]

    def hash(self, view):
        """Add ``view`` (part of the current buffer) to the checksum."""
        if self._thread is None:
            self.checksum.update(view)
        else:
            self._done[self._turn] = self._thread.submit(
                self.checksum.update, view)

    def _wait(self, turn):
        pending, self._done[turn] = self._done[turn], None
        if pending is not None:
            pending.result()

    def hexdigest(self):
        self._wait(0)
        self._wait(1)
        return self.checksum.hexdigest()

    def close(self):
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None


def daxio_argv(*args):
    return ['daxio'] + [str(a) for a in args]


def size_of(kind, path):
    """Bytes in a file, block device or device-dax device."""
    st = os.stat(path)
    if kind == 'dax' and stat.S_ISCHR(st.st_mode):
        sysfs = os.path.join(SYSFS, 'dev', 'char', '%d:%d' % (
            os.major(st.st_rdev), os.minor(st.st_rdev)), 'size')
        with open(sysfs) as f:
            return int(f.read().strip())
    if stat.S_ISBLK(st.st_mode):
        fd = os.open(path, os.O_RDONLY)
        try:
            return os.lseek(fd, 0, os.SEEK_END)
        finally:
            os.close(fd)
    return st.st_size


def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class FileSink(object):
    """Writes a file or block device from its start; with ``sync``,
    ``finish()`` makes it durable with one fsync, after the last write.

    Nothing is flushed on the way (no per-chunk fsync, fdatasync,
    sync_file_range or fadvise): the kernel writes back in the
    background as it does for ``cat > file``, and the single fsync at
    the end waits for what is left, as ``cat > file && sync file`` does.
    """

    def __init__(self, path, sync=True):
        self.path = path
        self.sync = sync
        self.created = not os.path.exists(path)
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        self.written = 0

    def write(self, data):
        write_all(self.fd, data)
        self.written += len(data)

    def finish(self):
        if self.sync:
            os.fsync(self.fd)
        self.close()

    def close(self):
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)


def enlarge_pipe(fd, size=PIPE_SIZE):
    """Make the pipe ``fd`` hold ``size`` bytes, if it is a pipe."""
    try:
        import fcntl
        fcntl.fcntl(fd, getattr(fcntl, 'F_SETPIPE_SZ', 1031), size)
    except (OSError, ImportError):
        pass


def zero(kind, path, length=None):
    """Zero the first ``length`` bytes of ``path`` (None: all of it)."""
    if kind == 'dax':
        args = ['-z', '-o', path]
        if length is not None:
            args += ['-l', length]
        run(daxio_argv(*args))
        return
    if length is None:
        length = size_of(kind, path)
    zeros = bytes(min(BUFFER_SIZE, length))
    fd = os.open(path, os.O_WRONLY)
    try:
        done = 0
        while done < length:
            n = min(len(zeros), length - done)
            write_all(fd, zeros[:n] if n < len(zeros) else zeros)
            done += n
        os.fsync(fd)
    finally:
        os.close(fd)


def discard(kind, path, length, created):
    """Undo a failed write: delete what we created, zero what existed."""
    if created and kind == 'file':
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
    else:
        zero(kind, path, length)


def run(argv):
    proc = subprocess.run(argv, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    if proc.returncode:
        raise Failure('%s exited %d: %s' % (
            ' '.join(argv), proc.returncode,
            proc.stderr.decode(errors='replace').strip()))
    return proc.stdout


def _say(stream, text):
    try:
        stream.write((text + '\n').encode())
        stream.flush()
    except OSError:
        pass    # the connection is gone; the exit status still tells


def _terminated(signum, frame):
    raise Failure('terminated by signal %d' % signum)


def read_full(read_into, view):
    """Fill ``view`` from ``read_into`` (pipes return what they hold);
    returns the count, short only at the end of the input.
    """
    done = 0
    while done < len(view):
        n = read_into(view[done:])
        if not n:
            break
        done += n
    return done


def _pump(read_into, write, length, checksum):
    """Move ``length`` bytes; returns how many came before EOF and the
    hex checksum of them.
    """
    size = min(BUFFER_SIZE, max(length, 1))
    buffers = Buffers(size, checksum)
    done = 0
    try:
        while done < length:
            view = buffers.next()
            n = read_full(read_into, view[:min(size, length - done)])
            if not n:
                break
            buffers.hash(view[:n])
            write(view[:n])
            done += n
        return done, buffers.hexdigest()
    finally:
        buffers.close()


def do_write(kind, path, length, algorithm, sync=True):
    out = sys.stdout.buffer
    stdin = sys.stdin.buffer.raw
    enlarge_pipe(stdin.fileno())
    try:
        checksum = new_checksum(algorithm)
    except ValueError as exc:
        _say(sys.stderr.buffer, 'writing %s failed: %s' % (path, exc))
        return FAILED
    # A dropped connection must end in the clean-up below, not in death.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminated)
    created = kind == 'file' and not os.path.exists(path)
    _say(out, 'created' if created else 'existing')
    proc = sink = None
    try:
        if kind == 'dax':
            proc = subprocess.Popen(daxio_argv('-o', path, '-l', length),
                                    stdin=subprocess.PIPE, bufsize=0,
                                    stderr=subprocess.PIPE)
            fd = proc.stdin.fileno()
            enlarge_pipe(fd)
            write = lambda data: write_all(fd, data)  # noqa: E731
        else:
            sink = FileSink(path, sync)
            write = sink.write
        done, digest = _pump(stdin.readinto, write, length, checksum)
        if done < length:
            raise Failure('input ended after %d of %d bytes' %
                          (done, length))
        if proc is not None:
            proc.stdin.close()
            err = proc.stderr.read()
            if proc.wait():
                raise Failure('daxio exited %d: %s' % (
                    proc.returncode, err.decode(errors='replace').strip()))
        else:
            sink.finish()
    except BaseException as exc:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if sink is not None:
            sink.close()
        try:
            if sink is not None or proc is not None:
                discard(kind, path, length, created)
            # else it could not be opened: nothing was written.
            _say(out, 'discarded')
        except Exception as cleanup_exc:
            _say(sys.stderr.buffer, 'cleaning %s failed: %s' %
                 (path, cleanup_exc))
        _say(sys.stderr.buffer, 'writing %s failed: %s' % (path, exc))
        return FAILED
    _say(out, 'checksum %s' % digest)
    return 0


def do_read(kind, path, length, algorithm):
    out = sys.stdout.buffer
    proc = None
    try:
        checksum = new_checksum(algorithm)
        if kind == 'dax':
            proc = subprocess.Popen(daxio_argv('-i', path, '-l', length),
                                    stdout=subprocess.PIPE, bufsize=0,
                                    stderr=subprocess.PIPE)
            source = proc.stdout
        else:
            source = open(path, 'rb', buffering=0)
        enlarge_pipe(out.fileno())
        with source:
            done, digest = _pump(
                source.readinto, lambda b: write_all(out.fileno(), b),
                length, checksum)
        if proc is not None:
            err = proc.stderr.read()
            if proc.wait():
                raise Failure('daxio exited %d: %s' % (
                    proc.returncode, err.decode(errors='replace').strip()))
        if done < length:
            raise Failure('%s ended after %d of %d bytes' %
                          (path, done, length))
    except Exception as exc:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        _say(sys.stderr.buffer, 'reading %s failed: %s' % (path, exc))
        return FAILED
    _say(sys.stderr.buffer, 'checksum %s' % digest)
    return 0


def main(argv):
    mode, kind, path = argv[:3]
    rest = argv[3:]
    try:
        if mode == 'write':
            return do_write(kind, path, int(rest[0]), rest[1],
                            rest[2:3] != ['nosync'])
        if mode == 'read':
            return do_read(kind, path, int(rest[0]), rest[1])
        if mode == 'size':
            _say(sys.stdout.buffer, str(size_of(kind, path)))
        elif mode == 'zero':
            zero(kind, path, None if rest[0] == '-' else int(rest[0]))
        elif mode == 'discard':
            discard(kind, path, int(rest[0]), rest[1] == 'created')
        elif mode == 'checksums':
            _say(sys.stdout.buffer, ' '.join(supported_checksums()))
        elif mode == 'delete':
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        else:
            raise Failure('unknown mode %r' % mode)
    except (Failure, OSError, ValueError) as exc:
        _say(sys.stderr.buffer, '%s %s failed: %s' % (mode, path, exc))
        return FAILED
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
