"""The byte-progress model (migrator.progress)."""
import testtools

from migrator import progress


class TestByteProgress(testtools.TestCase):

    def test_percent_rate_eta(self):
        est = progress.ByteProgress(1000)
        p = est.update(0.0, 0)
        self.assertEqual({'total': 1000, 'processed': 0, 'remaining': 1000,
                          'percent': 0, 'rate': None, 'eta_seconds': None},
                         p)
        p = est.update(1.0, 100)
        self.assertEqual((10, 100, 9), (p['percent'], p['rate'],
                                        p['eta_seconds']))
        p = est.update(2.0, 400)    # measured 300/s, smoothed 30 %
        self.assertEqual(160, p['rate'])
        self.assertEqual(40, p['percent'])
        self.assertEqual(600, p['remaining'])
        self.assertEqual(4, p['eta_seconds'])

    def test_percent_never_goes_back_and_stays_below_100(self):
        est = progress.ByteProgress(1000)
        seen = [est.update(t, done)['percent']
                for t, done in enumerate([0, 500, 300, 999, 1000, 1000])]
        self.assertEqual([0, 50, 50, 99, 99, 99], seen)
        self.assertEqual(100, est.finish()['percent'])
        self.assertEqual(0, est.finish()['eta_seconds'])

    def test_failed_keeps_figures_without_eta(self):
        est = progress.ByteProgress(1000)
        est.update(0.0, 0)
        est.update(1.0, 250)
        p = est.finish(completed=False)
        self.assertEqual((25, 750, None),
                         (p['percent'], p['remaining'], p['eta_seconds']))

    def test_empty_move_is_0_then_100(self):
        est = progress.ByteProgress(0)
        self.assertEqual(0, est.update(0.0, 0)['percent'])
        self.assertEqual(100, est.finish()['percent'])

    def test_rate_never_negative(self):
        est = progress.ByteProgress(1000)
        est.update(0.0, 500)
        self.assertEqual(0, est.update(1.0, 100)['rate'])

    def test_negative_total_refused(self):
        self.assertRaises(ValueError, progress.ByteProgress, -1)
