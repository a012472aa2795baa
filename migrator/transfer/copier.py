"""The copy loop: stream bytes from a source endpoint to a sink endpoint.

Large chunks, read into one reused buffer and written straight on; a
checksum of what was read, compared with what the sink (or a remote
source) reports, computed on the fly so verification costs no second
pass; a rate limit; a cancel event; progress through
``migrator.progress``. Any failure (read, write, connection, checksum,
cancel) aborts both ends and cleans the sink (zeroed, or deleted if the
copy created it) before the error reaches the caller.
"""
import collections
import time

from migrator import progress as progress_model
from migrator.transfer import agent
from migrator.transfer import errors
from migrator.transfer import negotiate
from migrator.transfer import throttle

DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024
#: The checksum both sides compute: 'auto' (XXH3 where both ends have the
#: xxhash module, else CRC-32; see ``negotiate``), 'crc32' (zlib's
#: CRC-32), 'xxh3_128' or any hashlib name the remote python3 also has.
DEFAULT_CHECKSUM = negotiate.AUTO
#: A throttled copy uses chunks of at most this many seconds' worth.
THROTTLED_CHUNK_SECONDS = 0.25
MIN_CHUNK_SIZE = 64 * 1024

CopyResult = collections.namedtuple(
    'CopyResult', ['bytes_copied', 'checksum', 'seconds', 'algorithm'],
    defaults=[None])
CopyResult.__doc__ = """What a finished copy did: bytes, the hex checksum
of them (None when verification was off), the seconds it took, and the
checksum's name ('crc32', 'xxh3_128', ...; 'none' when off)."""

CopyProgress = collections.namedtuple('CopyProgress', progress_model.KEYS)
CopyProgress.__doc__ = """Progress of a copy: ``total``, ``processed`` and
``remaining`` bytes; ``percent`` (int, never goes back, 100 only at the
end); ``rate`` (bytes/s, smoothed; None at first); ``eta_seconds`` (None
until it can be estimated)."""


def copy(source, sink, length=None, chunk_size=DEFAULT_CHUNK_SIZE,
         rate_limit=None, on_progress=None, progress_interval=1.0,
         cancel=None, verify=True, checksum=DEFAULT_CHECKSUM, sync=True,
         clock=time.monotonic, sleep=None):
    """Copy ``length`` bytes (default: ``source.size()``) from the start
    of ``source`` to the start of ``sink``; returns a ``CopyResult``.

    ``rate_limit``: bytes/s, None or 0 for unthrottled. ``on_progress``
    is called with a ``CopyProgress`` when the copy starts (0 %), then at
    most every ``progress_interval`` seconds, and once at the end (100 %);
    not after a failure. ``cancel``: a ``threading.Event``; once set, the
    copy stops at the next chunk (or wakes from a throttling pause) and
    raises ``CopyCancelled``. ``verify``: compare the checksum of what was
    read with what the sink reports it wrote (and, for a remote source,
    with what it reports it read); ``ChecksumMismatch`` otherwise.
    ``checksum``: 'auto' (the default: 'xxh3_128' when this process and
    every remote end have the xxhash module, else 'crc32'; remote hosts
    are asked once and remembered), 'crc32' (zlib's CRC-32, the cheapest
    the standard library has), 'xxh3_128' (about three times cheaper
    again; a copy whose end lacks the xxhash module fails naming it) or a
    hashlib name ('sha256').
    ``sync``: make the sink's data durable (fsync) before returning; off
    only for scratch copies.
    ``clock`` and ``sleep`` are injectable for tests.

    Raises ``CopyFailed``, ``ChecksumMismatch`` or ``CopyCancelled`` with
    the sink already cleaned (see ``TransferError.sink_cleaned``).
    """
    started = clock()
    if length is None:
        length = _call(source.size, 'reading the size of %s' % source)
    length = int(length)
    if length < 0:
        raise ValueError('length must not be negative: %r' % (length,))
    if chunk_size <= 0:
        raise ValueError('chunk_size must be positive: %r' % (chunk_size,))
    if sleep is None:
        sleep = cancel.wait if cancel is not None else time.sleep
    limiter = None
    if rate_limit:
        limiter = throttle.RateLimiter(rate_limit, clock, sleep)
        chunk_size = min(chunk_size, max(
            MIN_CHUNK_SIZE, int(rate_limit * THROTTLED_CHUNK_SECONDS)))
    if verify and checksum == negotiate.AUTO:
        checksum = negotiate.choose(source, sink)
    algorithm = checksum if verify else 'none'
    hasher = _call(agent.new_checksum, 'checksum', algorithm)
    estimator = progress_model.ByteProgress(length)

    def report(now, done):
        if on_progress is not None:
            on_progress(CopyProgress(**estimator.update(now, done)))

    reader = _call(source.open_reader, 'opening %s' % source, length,
                   algorithm)
    try:
        writer = _call(sink.open_writer, 'opening %s' % sink, length,
                       algorithm, sync)
    except BaseException:
        reader.abort()
        raise
    done = 0
    size = min(chunk_size, max(length, 1))
    buffers = agent.Buffers(size, hasher)
    try:
        report(clock(), 0)
        last_report = clock()
        if limiter is not None:
            limiter.start()
        while done < length:
            if cancel is not None and cancel.is_set():
                raise errors.CopyCancelled(
                    'copy from %s to %s cancelled after %d of %d bytes' %
                    (source, sink, done, length))
            view = buffers.next()
            n = _call(agent.read_full, 'reading %s' % source,
                      reader.readinto, view[:min(size, length - done)])
            if not n:
                # A process that ended early says why in its exit status.
                _call(reader.close, 'reading %s' % source)
                raise errors.CopyFailed(
                    'reading %s failed: it ended after %d of %d bytes' %
                    (source, done, length))
            chunk = view[:n]
            buffers.hash(chunk)
            _call(writer.write, 'writing %s' % sink, chunk)
            done += n
            if limiter is not None:
                limiter.consumed(n)
            now = clock()
            if now - last_report >= progress_interval and done < length:
                report(now, done)
                last_report = now
        if cancel is not None and cancel.is_set():
            raise errors.CopyCancelled(
                'copy from %s to %s cancelled after %d of %d bytes' %
                (source, sink, done, length))
        read_sum = _call(reader.close, 'reading %s' % source)
        written_sum = _call(writer.finish, 'writing %s' % sink)
        ours = buffers.hexdigest()
        if verify:
            _compare(ours, read_sum, 'what %s reports it read' % source,
                     source, sink)
            _compare(ours, written_sum, 'what %s reports it wrote' % sink,
                     source, sink)
    except BaseException as exc:
        buffers.close()
        _clean_up(reader, writer, sink, exc)
        raise
    buffers.close()
    seconds = clock() - started
    if on_progress is not None:
        estimator.update(clock(), done)
        on_progress(CopyProgress(**estimator.finish(True)))
    return CopyResult(done, ours, seconds, algorithm)


def zero(endpoint, length=None):
    """Zero the first ``length`` bytes of ``endpoint`` (None: all of it):
    ``daxio -z`` for device-dax, zeros written in place for a file or
    block device (locally or over SSH).
    """
    _call(endpoint.zero, 'zeroing %s' % endpoint, length)


def _compare(ours, theirs, what, source, sink):
    if theirs is None or theirs == ours:
        return
    raise errors.ChecksumMismatch(
        'copy from %s to %s: the checksum of what was read (%s) differs '
        'from %s (%s)' % (source, sink, ours, what, theirs),
        expected=ours, actual=theirs)


def _call(func, what, *args):
    """``func(*args)``, an OSError turned into CopyFailed naming ``what``.
    """
    try:
        return func(*args)
    except errors.TransferError:
        raise
    except (OSError, ValueError) as exc:
        raise errors.CopyFailed('%s failed: %s' % (what, exc)) from exc


def _clean_up(reader, writer, sink, exc):
    reader.abort()
    writer.abort()
    try:
        writer.discard()
    except Exception as cleanup_exc:
        if isinstance(exc, errors.TransferError):
            exc.sink_cleaned = False
            exc.message += ('; cleaning %s failed too, it may hold part of '
                            'the data: %s' % (sink, cleanup_exc))
        raise exc from cleanup_exc
