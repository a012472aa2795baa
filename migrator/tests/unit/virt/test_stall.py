"""The stall detector on its own."""
import testtools

from migrator.virt import stall

MIB = 1024 * 1024


def sample(memory_remaining, memory_processed, iteration, disk_remaining=0,
           disk_processed=0):
    return {'memory_remaining': memory_remaining,
            'memory_processed': memory_processed,
            'memory_iteration': iteration, 'disk_remaining': disk_remaining,
            'disk_processed': disk_processed}


class TestStallDetector(testtools.TestCase):

    def test_disabled(self):
        det = stall.StallDetector(0, 3)
        for t in range(1000):
            self.assertIsNone(det.feed(float(t), sample(MIB, 0, 1)))

    def test_hung_transfer_is_a_stall(self):
        det = stall.StallDetector(30, 3)
        verdicts = [det.feed(float(t), sample(500 * MIB, 100 * MIB, 1))
                    for t in range(40)]
        self.assertIsNone(verdicts[29])
        self.assertIn('no data moved', verdicts[30])

    def test_non_converging_passes_are_a_stall(self):
        det = stall.StallDetector(30, 3)
        processed = 0
        verdict = None
        t = 0.0
        # Every pass re-sends the same 250 MiB, 2 s each.
        for iteration in range(2, 40):
            for remaining in (250, 188, 125, 63):
                processed += 63 * MIB
                verdict = det.feed(t, sample(remaining * MIB, processed,
                                             iteration))
                t += 0.5
                if verdict:
                    break
            if verdict:
                break
        self.assertIsNotNone(verdict)
        self.assertIn('iterations', verdict)
        self.assertGreaterEqual(t, 30)

    def test_one_long_pass_is_not_a_stall(self):
        det = stall.StallDetector(30, 3)
        for t in range(600):
            remaining = 64 * 1024 * MIB - t * 100 * MIB
            self.assertIsNone(det.feed(float(t), sample(
                remaining, t * 100 * MIB, 1)))

    def test_shrinking_passes_are_not_a_stall(self):
        det = stall.StallDetector(5, 1)
        size, processed, t = 2048.0, 0, 0.0
        for iteration in range(2, 30):
            remaining = size
            while remaining > 0:
                processed += 10 * MIB
                self.assertIsNone(det.feed(t, sample(
                    int(remaining * MIB), processed, iteration)))
                remaining -= 10
                t += 0.1
            size *= 0.85
