"""transfer.copy between local endpoints: sizes, limits, verification,
throttling, cancellation, clean-up and progress."""
import os
import threading

import fixtures
import testtools

from migrator.tests.unit.transfer import fakes
from migrator import transfer
from migrator.transfer import throttle

KIB = 1024
MIB = 1024 * KIB


class CopyTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def make(self, name, size=None, data=None):
        path = os.path.join(self.tmp, name)
        if data is None:
            data = os.urandom(size)
        with open(path, 'wb') as f:
            f.write(data)
        return path, data

    def path(self, name):
        return os.path.join(self.tmp, name)

    def read(self, path):
        with open(path, 'rb') as f:
            return f.read()


class TestCopy(CopyTestCase):

    def test_size_not_a_multiple_of_the_chunk(self):
        src, data = self.make('src', 3 * 64 * KIB + 17)
        result = transfer.copy(transfer.LocalFile(src),
                               transfer.LocalFile(self.path('dst')),
                               chunk_size=64 * KIB)
        self.assertEqual(data, self.read(self.path('dst')))
        self.assertEqual(len(data), result.bytes_copied)
        # The hex of the checksum 'auto' chose.
        self.assertEqual({'crc32': 8, 'xxh3_128': 32}[result.algorithm],
                         len(result.checksum))
        self.assertGreaterEqual(result.seconds, 0)

    def test_empty(self):
        src, _ = self.make('src', data=b'')
        progress = []
        result = transfer.copy(transfer.LocalFile(src),
                               transfer.LocalFile(self.path('dst')),
                               on_progress=progress.append)
        self.assertEqual(b'', self.read(self.path('dst')))
        self.assertEqual(0, result.bytes_copied)
        self.assertEqual([0, 100], [p.percent for p in progress])

    def test_length_limit(self):
        src, data = self.make('src', 100 * KIB)
        result = transfer.copy(transfer.LocalFile(src),
                               transfer.LocalFile(self.path('dst')),
                               length=10 * KIB + 1, chunk_size=4 * KIB)
        self.assertEqual(data[:10 * KIB + 1], self.read(self.path('dst')))
        self.assertEqual(10 * KIB + 1, result.bytes_copied)

    def test_existing_sink_is_overwritten_in_place(self):
        src, data = self.make('src', 1000)
        dst, old = self.make('dst', 3000)
        transfer.copy(transfer.LocalFile(src), transfer.LocalFile(dst))
        self.assertEqual(data + old[1000:], self.read(dst))

    def test_checksum_algorithms(self):
        src, data = self.make('src', 5000)
        for name, digits in (('crc32', 8), ('sha1', 40), ('sha256', 64)):
            result = transfer.copy(transfer.LocalFile(src),
                                   transfer.LocalFile(self.path(name)),
                                   checksum=name)
            self.assertEqual(digits, len(result.checksum))
            self.assertEqual(data, self.read(self.path(name)))

    def test_verify_off_has_no_checksum(self):
        src, data = self.make('src', 5000)
        result = transfer.copy(transfer.LocalFile(src),
                               transfer.LocalFile(self.path('dst')),
                               verify=False)
        self.assertIsNone(result.checksum)
        self.assertEqual(data, self.read(self.path('dst')))

    def test_default_length_is_the_source_size(self):
        src, data = self.make('src', 12345)
        self.assertEqual(12345, transfer.LocalFile(src).size())
        transfer.copy(transfer.LocalFile(src),
                      transfer.LocalFile(self.path('dst')))
        self.assertEqual(data, self.read(self.path('dst')))

    def test_bad_arguments(self):
        src, _ = self.make('src', 10)
        dst = transfer.LocalFile(self.path('dst'))
        self.assertRaises(ValueError, transfer.copy,
                          transfer.LocalFile(src), dst, length=-1)
        self.assertRaises(ValueError, transfer.copy,
                          transfer.LocalFile(src), dst, chunk_size=0)
        self.assertFalse(os.path.exists(self.path('dst')))


class TestFailures(CopyTestCase):
    """Every failure leaves the sink deleted (a file the copy created) or
    zeroed (one that existed), and says what failed."""

    def test_checksum_mismatch_deletes_created_sink(self):
        src, _ = self.make('src', 200 * KIB)
        dst = self.path('dst')
        exc = self.assertRaises(
            transfer.ChecksumMismatch, transfer.copy,
            transfer.LocalFile(src), fakes.CorruptingFile(dst),
            chunk_size=64 * KIB)
        self.assertIn('reports it wrote', str(exc))
        self.assertNotEqual(exc.expected, exc.actual)
        self.assertTrue(exc.sink_cleaned)
        self.assertFalse(os.path.exists(dst))

    def test_checksum_mismatch_zeroes_existing_sink(self):
        src, _ = self.make('src', 100 * KIB)
        dst, old = self.make('dst', 150 * KIB)
        self.assertRaises(transfer.ChecksumMismatch, transfer.copy,
                          transfer.LocalFile(src), fakes.CorruptingFile(dst))
        self.assertEqual(bytes(100 * KIB) + old[100 * KIB:],
                         self.read(dst))

    def test_corruption_unnoticed_without_verify(self):
        src, data = self.make('src', 1000)
        transfer.copy(transfer.LocalFile(src),
                      fakes.CorruptingFile(self.path('dst')), verify=False)
        self.assertNotEqual(data, self.read(self.path('dst')))

    def test_read_error_mid_copy(self):
        src, _ = self.make('src', 300 * KIB)
        dst = self.path('dst')
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy,
            fakes.FailingFile(src, fail_after=128 * KIB),
            transfer.LocalFile(dst), chunk_size=64 * KIB)
        self.assertIn('reading %s failed' % src, str(exc))
        self.assertIn('Input/output error', str(exc))
        self.assertFalse(os.path.exists(dst))

    def test_source_shorter_than_length(self):
        src, _ = self.make('src', 1000)
        dst, old = self.make('dst', 4000)
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy, transfer.LocalFile(src),
            transfer.LocalFile(dst), length=2000)
        self.assertIn('ended after 1000 of 2000 bytes', str(exc))
        self.assertEqual(bytes(2000) + old[2000:], self.read(dst))

    def test_missing_source(self):
        dst = self.path('dst')
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy,
            transfer.LocalFile(self.path('nope')), transfer.LocalFile(dst))
        self.assertIn(self.path('nope'), str(exc))
        self.assertFalse(os.path.exists(dst))

    def test_unwritable_sink(self):
        src, _ = self.make('src', 1000)
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy, transfer.LocalFile(src),
            transfer.LocalFile(self.path('no/such/dir/dst')))
        self.assertIn('opening %s failed' % self.path('no/such/dir/dst'),
                      str(exc))

    def test_cancel_deletes_the_sink(self):
        src, _ = self.make('src', 1 * MIB)
        dst = self.path('dst')
        cancel = threading.Event()
        seen = []

        def on_progress(p):
            seen.append(p)
            if p.processed:
                cancel.set()

        exc = self.assertRaises(
            transfer.CopyCancelled, transfer.copy, transfer.LocalFile(src),
            transfer.LocalFile(dst), chunk_size=64 * KIB,
            on_progress=on_progress, progress_interval=0, cancel=cancel)
        self.assertIn('cancelled after 65536 of 1048576 bytes', str(exc))
        self.assertFalse(os.path.exists(dst))
        self.assertNotEqual(100, seen[-1].percent)

    def test_cancelled_before_start(self):
        src, _ = self.make('src', 1000)
        dst, old = self.make('dst', 1000)
        cancel = threading.Event()
        cancel.set()
        self.assertRaises(transfer.CopyCancelled, transfer.copy,
                          transfer.LocalFile(src), transfer.LocalFile(dst),
                          cancel=cancel)
        self.assertEqual(bytes(1000), self.read(dst))

    def test_failed_clean_up_is_reported(self):
        src, _ = self.make('src', 1000)
        dst = self.path('dst')
        sink = fakes.CorruptingFile(dst)
        open_writer = sink.open_writer

        def writer_that_cannot_discard(length, checksum, sync):
            writer = open_writer(length, checksum, sync)

            def discard():
                raise OSError(13, 'Permission denied')
            writer.discard = discard
            return writer
        sink.open_writer = writer_that_cannot_discard
        exc = self.assertRaises(transfer.ChecksumMismatch, transfer.copy,
                                transfer.LocalFile(src), sink)
        self.assertFalse(exc.sink_cleaned)
        self.assertIn('cleaning %s failed too' % dst, str(exc))


class TestThrottle(CopyTestCase):

    def test_rate_limiter_sleeps_until_bytes_are_due(self):
        clock = fakes.FakeClock()
        limiter = throttle.RateLimiter(1000, clock=clock,
                                       sleep=clock.sleep)
        limiter.start()
        limiter.consumed(500)
        clock.now += 0.2         # work took 0.2 s of the 0.5 s budget
        limiter.consumed(500)
        self.assertEqual([0.5, 0.3], [round(s, 6) for s in clock.sleeps])
        clock.now += 5           # late: no sleep, no catch-up burst debt
        limiter.consumed(100)
        self.assertEqual(2, len(clock.sleeps))

    def test_copy_is_held_to_the_rate(self):
        clock = fakes.FakeClock()
        src, data = self.make('src', 1 * MIB)
        result = transfer.copy(
            transfer.LocalFile(src), transfer.LocalFile(self.path('dst')),
            rate_limit=256 * KIB, chunk_size=4 * MIB, clock=clock,
            sleep=clock.sleep)
        self.assertEqual(data, self.read(self.path('dst')))
        # Chunks of a quarter second's worth, each due 0.25 s later.
        self.assertEqual([0.25] * 16, [round(s, 6) for s in clock.sleeps])
        self.assertAlmostEqual(4.0, result.seconds)

    def test_cancel_wakes_a_throttled_copy(self):
        src, _ = self.make('src', 256 * KIB)
        dst = self.path('dst')
        cancel = threading.Event()
        waits = []

        def sleep(seconds):
            waits.append(seconds)
            cancel.set()
        self.assertRaises(transfer.CopyCancelled, transfer.copy,
                          transfer.LocalFile(src), transfer.LocalFile(dst),
                          rate_limit=64 * KIB, cancel=cancel, sleep=sleep)
        self.assertEqual(1, len(waits))
        self.assertFalse(os.path.exists(dst))

    def test_bad_rate(self):
        self.assertRaises(ValueError, throttle.RateLimiter, 0)


class TestProgress(CopyTestCase):

    def test_monotonic_and_100_only_at_the_end(self):
        clock = fakes.FakeClock(tick=0.1)
        src, _ = self.make('src', 1 * MIB + 5)
        seen = []
        transfer.copy(transfer.LocalFile(src),
                      transfer.LocalFile(self.path('dst')),
                      chunk_size=32 * KIB, on_progress=seen.append,
                      progress_interval=0.5, clock=clock)
        percents = [p.percent for p in seen]
        self.assertEqual(sorted(percents), percents)
        self.assertEqual(0, percents[0])
        self.assertEqual([100], [p for p in percents if p == 100])
        self.assertEqual(100, percents[-1])
        self.assertGreater(len(seen), 5)
        last = seen[-1]
        self.assertEqual((1 * MIB + 5, 1 * MIB + 5, 0, 0),
                         (last.total, last.processed, last.remaining,
                          last.eta_seconds))
        middle = seen[len(seen) // 2]
        self.assertIsNotNone(middle.rate)
        self.assertIsNotNone(middle.eta_seconds)
        self.assertEqual(middle.total - middle.processed, middle.remaining)
        # About every 0.5 s of a 0.1 s-per-read clock, never more often.
        for a, b in zip(seen[1:-2], seen[2:-1]):
            self.assertLess(a.processed, b.processed)

    def test_no_100_after_a_failure(self):
        src, _ = self.make('src', 300 * KIB)
        seen = []
        self.assertRaises(
            transfer.CopyFailed, transfer.copy,
            fakes.FailingFile(src, fail_after=200 * KIB),
            transfer.LocalFile(self.path('dst')), chunk_size=64 * KIB,
            on_progress=seen.append, progress_interval=0)
        self.assertTrue(seen)
        self.assertNotIn(100, [p.percent for p in seen])


class TestZeroAndDelete(CopyTestCase):

    def test_zero_file(self):
        path, data = self.make('f', 5000)
        transfer.zero(transfer.LocalFile(path), 1000)
        self.assertEqual(bytes(1000) + data[1000:], self.read(path))
        transfer.zero(transfer.LocalFile(path))
        self.assertEqual(bytes(5000), self.read(path))

    def test_zero_missing_file(self):
        exc = self.assertRaises(transfer.CopyFailed, transfer.zero,
                                transfer.LocalFile(self.path('nope')))
        self.assertIn('zeroing %s failed' % self.path('nope'), str(exc))

    def test_delete(self):
        path, _ = self.make('f', 10)
        transfer.LocalFile(path).delete()
        self.assertFalse(os.path.exists(path))
        transfer.LocalFile(path).delete()    # already gone: fine

    def test_a_device_is_never_deleted(self):
        self.assertRaises(transfer.TransferError,
                          transfer.LocalFile('/dev/null').delete)
        self.assertTrue(os.path.exists('/dev/null'))


class TestXXHash(CopyTestCase):

    def test_xxh3_128(self):
        import xxhash
        src, data = self.make('src', 300 * KIB + 3)
        result = transfer.copy(transfer.LocalFile(src),
                               transfer.LocalFile(self.path('dst')),
                               checksum='xxh3_128', chunk_size=64 * KIB)
        self.assertEqual(xxhash.xxh3_128(data).hexdigest(), result.checksum)
        self.assertEqual(data, self.read(self.path('dst')))

    def test_without_the_module_the_copy_fails_naming_it(self):
        import sys
        from unittest import mock
        patcher = mock.patch.dict(sys.modules, {'xxhash': None})
        patcher.start()
        self.addCleanup(patcher.stop)
        src, _ = self.make('src', 10)
        exc = self.assertRaises(
            transfer.CopyFailed, transfer.copy, transfer.LocalFile(src),
            transfer.LocalFile(self.path('dst')), checksum='xxh3_128')
        self.assertIn('python3-xxhash', str(exc))
        self.assertFalse(os.path.exists(self.path('dst')))
