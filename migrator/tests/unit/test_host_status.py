"""host_status is read from the host's service at most once a second."""
from unittest import mock

import testtools

from migrator.compute.api import servers
from migrator import exception


class Instance:
    host = 'compute1'


class Context:
    cell_uuid = 'cell-a'


class TestHostStatusFromMemory(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(servers._host_statuses.clear)
        servers._host_statuses.clear()
        self.clock = [100.0]
        self.patch('time.monotonic', lambda: self.clock[0])
        self.service = mock.Mock(forced_down=False, is_up=True,
                                 disabled=False)
        self.reads = self.patch(
            'migrator.objects.service.Service.get_by_compute_host',
            mock.Mock(return_value=self.service))

    def patch(self, target, new):
        patcher = mock.patch(target, new)
        self.addCleanup(patcher.stop)
        return patcher.start()

    def status(self):
        return servers.ServersMixin().host_status(Context(), Instance())

    def test_read_once_within_a_second(self):
        self.assertEqual('UP', self.status())
        self.service.disabled = True
        self.clock[0] += 0.5
        self.assertEqual('UP', self.status())
        self.assertEqual(1, self.reads.call_count)

    def test_read_again_after_a_second(self):
        self.assertEqual('UP', self.status())
        self.service.disabled = True
        self.clock[0] += 1.0
        self.assertEqual('MAINTENANCE', self.status())
        self.assertEqual(2, self.reads.call_count)

    def test_unknown_host(self):
        self.reads.side_effect = exception.ComputeHostNotFound(host='x')
        self.assertEqual('UNKNOWN', self.status())
