"""The uptime(1) line os-hypervisors uptime answers, and who answers it
when the compute cannot."""
import os
import struct
import tempfile
import time
from unittest import mock

import oslo_messaging as messaging
import testtools

from migrator.compute import api as compute_api
from migrator import exception
from migrator.virt import host_uptime

AT = time.strptime('2026-12-01 08:32:11', '%Y-%m-%d %H:%M:%S')


class TestFormat(testtools.TestCase):

    def test_nova_sample_line(self):
        seconds = (93 * 24 * 60 + 18 * 60 + 25) * 60 + 7
        self.assertEqual(
            ' 08:32:11 up 93 days, 18:25, 12 users,  load average: '
            '0.20, 0.12, 0.14',
            host_uptime.format_uptime(seconds, 12, (0.2, 0.12, 0.14), AT))

    def test_under_an_hour_one_day_one_user(self):
        self.assertEqual(
            ' 08:32:11 up 1 day, 5 min,  1 user,  load average: '
            '1.00, 0.50, 0.00',
            host_uptime.format_uptime(86400 + 300, 1, (1, 0.5, 0), AT))

    def test_this_host(self):
        self.assertRegex(
            host_uptime.uptime(),
            r'^ \d\d:\d\d:\d\d up .*,  load average: [\d.]+, [\d.]+, '
            r'[\d.]+$')

    def test_users_from_utmp(self):
        record = bytearray(384)
        users = struct.pack('<i', 7) + bytes(380)
        with tempfile.NamedTemporaryFile(delete=False) as utmp:
            utmp.write(bytes(record) + users + users)
        self.addCleanup(os.unlink, utmp.name)
        self.assertEqual(2, host_uptime._users(utmp.name))
        self.assertEqual(0, host_uptime._users('/nonexistent/utmp'))


class TestComputeUnavailable(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.api = compute_api.API()
        self.node = mock.Mock(host='host1', _cell=None)
        self.rpc = mock.Mock()
        self.api._compute = self.rpc
        mock.patch(
            'migrator.context.target_cell').start()
        self.addCleanup(mock.patch.stopall)

    def test_down_service_is_unavailable_without_asking(self):
        with mock.patch.object(self.api, 'node_service',
                               return_value=mock.Mock(is_up=False)):
            self.assertRaises(exception.ComputeServiceUnavailable,
                              self.api.get_host_uptime, None, self.node)
        self.rpc.get_host_uptime.assert_not_called()

    def test_silent_compute_is_unavailable(self):
        self.rpc.get_host_uptime.side_effect = messaging.MessagingTimeout
        with mock.patch.object(self.api, 'node_service',
                               return_value=mock.Mock(is_up=True)):
            exc = self.assertRaises(exception.ComputeServiceUnavailable,
                                    self.api.get_host_uptime, None,
                                    self.node)
        self.assertEqual(400, exc.code)

    def test_pinned_compute_is_not_implemented(self):
        self.rpc.can_send_version.return_value = False
        with mock.patch.object(self.api, 'node_service',
                               return_value=mock.Mock(is_up=True)):
            self.assertRaises(NotImplementedError,
                              self.api.get_host_uptime, None, self.node)

    def test_compute_older_than_1_3_is_not_implemented(self):
        self.rpc.get_host_uptime.side_effect = messaging.RemoteError(
            'UnsupportedVersion', 'Endpoint does not support RPC version '
            '1.3')
        with mock.patch.object(self.api, 'node_service',
                               return_value=mock.Mock(is_up=True)):
            self.assertRaises(NotImplementedError,
                              self.api.get_host_uptime, None, self.node)
