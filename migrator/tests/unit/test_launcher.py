"""Services run under oslo.service's launcher: SIGTERM stops them in
order, a service that fails to start stops the others."""
import os
import signal
from unittest import mock

import fixtures

from migrator import launcher
from migrator import service
from migrator.tests import base


class _Recorder:
    """A service that records what happens to it; ``on_start`` runs when
    it starts (in the launcher's thread)."""

    def __init__(self, name, events, on_start=None, drains=True):
        self.binary = name
        self.events = events
        self.on_start = on_start
        if drains:
            self.drain = lambda timeout: events.append(('drain', name))

    def start(self):
        self.events.append(('start', self.binary))
        if self.on_start:
            self.on_start()

    def stop(self, timeout=None):
        self.events.append(('stop', self.binary))


class TestServe(base.TestCase):

    def setUp(self):
        super().setUp()
        self.flags(graceful_shutdown_timeout=5)
        # The watchdog would end the test process.
        self.useFixture(fixtures.MockPatchObject(service, '_watchdog'))
        self.events = []

    def test_sigterm_drains_then_stops_every_service(self):
        def terminate():
            os.kill(os.getpid(), signal.SIGTERM)
        services = [_Recorder('conductor', self.events),
                    _Recorder('api', self.events, drains=False),
                    _Recorder('compute', self.events, on_start=terminate)]

        before = signal.getsignal(signal.SIGTERM)
        with self.assertLogs('migrator.launcher', 'INFO') as logs:
            launcher.serve(services)

        self.assertEqual([('start', 'conductor'), ('start', 'api'),
                          ('start', 'compute'),
                          ('stop', 'api'),
                          ('drain', 'compute'), ('drain', 'conductor'),
                          ('stop', 'compute'), ('stop', 'conductor')],
                         self.events)
        self.assertIn('Caught SIGTERM, stopping', '\n'.join(logs.output))
        # The handler from before is back.
        self.assertEqual(before, signal.getsignal(signal.SIGTERM))

    def test_a_service_that_fails_to_start_stops_the_others(self):
        def fail():
            raise RuntimeError('database unreachable')
        services = [_Recorder('conductor', self.events),
                    _Recorder('compute', self.events, on_start=fail)]

        with mock.patch.object(service, 'stop_all',
                               wraps=service.stop_all) as stop_all:
            self.assertRaisesRegex(RuntimeError, 'database unreachable',
                                   launcher.serve, services)

        stop_all.assert_called_once_with(services, 5)
        self.assertIn(('stop', 'conductor'), self.events)
