"""The service wrapper: Service record, heartbeat, up/down, clean stop."""
import datetime
from unittest import mock

from oslo_utils import timeutils

from migrator import manager
from migrator.objects import service as service_obj
from migrator import service
from migrator.tests import base
from migrator.tests import fixtures as migrator_fixtures


class TestUpDown(base.DBTestCase):
    def setUp(self):
        super().setUp()
        self.flags(service_down_time=60)
        self.now = datetime.datetime(2026, 5, 1, 12, 0, 0)
        timeutils.set_time_override(self.now)
        self.addCleanup(timeutils.clear_time_override)
        self.svc = service_obj.Service(self.context, host='h1',
                                       binary='migrator-compute',
                                       topic='compute')
        self.svc.create()

    def _reload(self):
        return service_obj.Service.get_by_id(self.context, self.svc.id)

    def test_never_seen_is_down(self):
        self.assertFalse(self._reload().is_up)

    def test_heartbeat_makes_up_and_counts(self):
        self.svc.heartbeat()
        self.svc.heartbeat()
        svc = self._reload()
        self.assertTrue(svc.is_up)
        self.assertEqual(2, svc.report_count)
        self.assertEqual(self.now, svc.last_seen_up.replace(tzinfo=None))

    def test_down_after_service_down_time(self):
        self.svc.heartbeat()
        timeutils.advance_time_seconds(60)
        self.assertTrue(self._reload().is_up)
        timeutils.advance_time_seconds(1)
        self.assertFalse(self._reload().is_up)
        self.svc.heartbeat()
        self.assertTrue(self._reload().is_up)

    def test_forced_down(self):
        self.svc.heartbeat()
        svc = self._reload()
        svc.forced_down = True
        svc.save()
        self.assertFalse(self._reload().is_up)


class _Manager(manager.Manager):
    def __init__(self):
        super().__init__('h1', 'test')
        self.calls = []

    def init_host(self):
        self.calls.append('init_host')

    def post_start_hook(self):
        self.calls.append('post_start_hook')

    def cleanup_host(self):
        self.calls.append('cleanup_host')

    def record_interrupted(self, reason):
        self.calls.append('record_interrupted')

    def ping(self, context, payload):
        return payload


class TestServiceWrapper(base.DBTestCase):
    def setUp(self):
        super().setUp()
        self.useFixture(migrator_fixtures.RPCFixture())

    def test_start_registers_and_heartbeats_stop_cleans_up(self):
        mgr = _Manager()
        svc = service.Service('h1', 'migrator-test', 'test', mgr,
                              report_interval=0.05)
        svc.start()
        try:
            ref = service_obj.Service.get_by_host_and_binary(
                self.context, 'h1', 'migrator-test')
            self.assertEqual(service_obj.SERVICE_VERSION, ref.version)
            self.assertTrue(ref.is_up)
            for _ in range(100):
                count = service_obj.Service.get_by_id(
                    self.context, ref.id).report_count
                if count >= 3:
                    break
                import time
                time.sleep(0.02)
            self.assertGreaterEqual(count, 3)
        finally:
            svc.stop(timeout=5)
        self.assertEqual(['init_host', 'post_start_hook', 'cleanup_host'],
                         mgr.calls)

    def test_restart_reuses_record_and_updates_version(self):
        old = service_obj.Service(self.context, host='h1',
                                  binary='migrator-test', topic='test',
                                  version=0)
        old.create()
        svc = service.Service('h1', 'migrator-test', 'test', _Manager())
        svc.start()
        svc.stop(timeout=5)
        ref = service_obj.Service.get_by_id(self.context, old.id)
        self.assertEqual(service_obj.SERVICE_VERSION, ref.version)
        self.assertEqual(1, len(service_obj.ServiceList.get_all(
            self.context)))

    def test_stop_records_interrupted_work_after_timeout(self):
        mgr = _Manager()
        svc = service.Service('h1', 'migrator-test', 'test', mgr)
        svc.start()
        with mock.patch.object(svc.rpcserver, 'wait',
                               side_effect=lambda: __import__(
                                   'time').sleep(1)):
            svc.stop(timeout=0.1)
        self.assertIn('record_interrupted', mgr.calls)

    def test_heartbeat_failure_does_not_kill_the_loop(self):
        mgr = _Manager()
        svc = service.Service('h1', 'migrator-test', 'test', mgr,
                              report_interval=0.02)
        svc.start()
        self.addCleanup(svc.stop, 5)
        real = svc.service_ref.heartbeat
        calls = []

        def flaky():
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError('database went away')
            real()
        svc.service_ref.heartbeat = flaky
        for _ in range(200):
            if len(calls) >= 3:
                break
            import time
            time.sleep(0.01)
        self.assertGreaterEqual(len(calls), 3)
