"""[transfer] checksum = auto: XXH3 where both ends have the xxhash
module, CRC-32 otherwise, the far end asked once per host (through a
fake ssh that runs the agent locally); an explicit checksum is never
replaced."""
import os
import sys
from unittest import mock

import fixtures

from migrator.tests.unit.transfer import fakes
from migrator import transfer
from migrator.transfer import agent
from migrator.transfer import ssh

# The far end's python without the xxhash module: the agent's import of
# it fails as it would there.
NO_XXHASH_AGENT = ssh.AGENT_SOURCE.replace('import xxhash',
                                           'import no_such_xxhash_module')


class TestAutoChecksum(fakes.FakeSSHTestCase):

    DATA_SIZE = 200 * 1024 + 5

    def setUp(self):
        super().setUp()
        try:
            import xxhash  # noqa: F401
        except ImportError:
            self.skipTest('needs the xxhash module (pip install xxhash)')
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.transfer.ssh._checksums_cache', {}))
        self.log = self.useFixture(fixtures.FakeLogger(
            name='migrator.transfer'))

    def ssh_calls(self):
        with open(self.ssh_log) as f:
            return f.read().splitlines()

    def probes(self):
        return [line for line in self.ssh_calls()
                if ' checksums - -' in line]

    def push(self, name='dst', **kwargs):
        return transfer.copy(transfer.LocalFile(self.src),
                             transfer.RemoteFile(self.host, self.path(name)),
                             **kwargs)

    def without_local_xxhash(self):
        patcher = mock.patch.dict(sys.modules, {'xxhash': None})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_auto_is_the_default(self):
        self.assertEqual('auto', transfer.DEFAULT_CHECKSUM)

    def test_both_ends_have_xxhash(self):
        import xxhash
        first = self.push('a')
        second = self.push('b')
        self.assertEqual('xxh3_128', first.algorithm)
        self.assertEqual(xxhash.xxh3_128(self.data).hexdigest(),
                         first.checksum)
        self.assertEqual(self.data, self.read(self.path('a')))
        self.assertEqual('xxh3_128', second.algorithm)
        # Asked once, remembered for the next copy to the same host.
        self.assertEqual(1, len(self.probes()))
        self.assertNotIn('not used', self.log.output)

    def test_remote_lacks_xxhash_falls_back_to_crc32_and_says_so(self):
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.transfer.ssh.AGENT_SOURCE', NO_XXHASH_AGENT))
        result = self.push()
        self.assertEqual('crc32', result.algorithm)
        self.assertEqual(8, len(result.checksum))
        self.assertEqual(self.data, self.read(self.path('dst')))
        self.assertIn('xxh3_128 not used, the python of remote:%s lacks '
                      'the xxhash module (Debian: python3-xxhash'
                      % self.path('dst'), self.log.output)
        # Pulling from the same host asks it no more.
        back = transfer.copy(transfer.RemoteFile(self.host,
                                                 self.path('dst')),
                             transfer.LocalFile(self.path('back')))
        self.assertEqual('crc32', back.algorithm)
        self.assertEqual(1, len(self.probes()))

    def test_local_lacks_xxhash_falls_back_without_asking(self):
        self.without_local_xxhash()
        result = self.push()
        self.assertEqual('crc32', result.algorithm)
        self.assertEqual(self.data, self.read(self.path('dst')))
        self.assertIn('this host lacks the xxhash module', self.log.output)

    def test_local_copy_follows_this_host_alone(self):
        result = transfer.copy(transfer.LocalFile(self.src),
                               transfer.LocalFile(self.path('dst')))
        self.assertEqual('xxh3_128', result.algorithm)
        self.assertEqual([], self.ssh_calls())
        self.without_local_xxhash()
        result = transfer.copy(transfer.LocalFile(self.src),
                               transfer.LocalFile(self.path('dst2')))
        self.assertEqual('crc32', result.algorithm)

    def test_verify_off_asks_nothing(self):
        result = self.push(verify=False)
        self.assertEqual('none', result.algorithm)
        self.assertIsNone(result.checksum)
        self.assertEqual([], self.probes())

    def test_explicit_xxh3_on_a_remote_without_it_fails_naming_it(self):
        self.useFixture(fixtures.MonkeyPatch(
            'migrator.transfer.ssh.AGENT_SOURCE', NO_XXHASH_AGENT))
        exc = self.assertRaises(transfer.CopyFailed, self.push,
                                checksum='xxh3_128')
        self.assertIn('needs the xxhash module (Debian: python3-xxhash; '
                      'pip: xxhash)', str(exc))
        self.assertFalse(os.path.exists(self.path('dst')))
        self.assertEqual([], self.probes())

    def test_explicit_xxh3_without_the_local_module_fails_naming_it(self):
        self.without_local_xxhash()
        exc = self.assertRaises(transfer.CopyFailed, self.push,
                                checksum='xxh3_128')
        self.assertIn('python3-xxhash', str(exc))
        self.assertFalse(os.path.exists(self.path('dst')))

    def test_explicit_crc32_is_kept(self):
        self.assertEqual('crc32', self.push(checksum='crc32').algorithm)
        self.assertEqual([], self.probes())

    def test_a_failed_probe_is_not_remembered(self):
        broken = transfer.SSHHost('remote', ssh='/nonexistent/ssh')
        self.assertEqual(['crc32'], broken.checksums())
        self.assertEqual({}, ssh._checksums_cache)

    def test_the_answer_expires(self):
        clock = [1000.0]
        self.assertEqual(['xxh3_128', 'crc32'],
                         self.host.checksums(clock=lambda: clock[0]))
        self.host.checksums(clock=lambda: clock[0])
        self.assertEqual(1, len(self.probes()))
        clock[0] += ssh.CHECKSUMS_CACHE_SECONDS + 1
        self.host.checksums(clock=lambda: clock[0])
        self.assertEqual(2, len(self.probes()))

    def test_agent_checksums_mode(self):
        self.assertEqual(['xxh3_128', 'crc32'],
                         agent.supported_checksums())
        self.assertEqual('xxh3_128 crc32\n', self.host.run_agent(
            'checksums', '-', '-'))
