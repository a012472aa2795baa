"""Without KVM the real-KVM tests fail loudly, unless MIGRATOR_NO_KVM=1
says that is deliberate (then they skip)."""
import fixtures
import testtools

from migrator.tests.integration.libvirt import kvm_hosts


class _Probe(testtools.TestCase):
    def probe(self):
        kvm_hosts.require_kvm(self)


class TestRequireKvm(testtools.TestCase):

    def _run_probe(self, missing, no_kvm):
        self.useFixture(fixtures.MockPatch(
            'migrator.tests.integration.libvirt.kvm_hosts.'
            'missing_requirements', return_value=missing))
        self.useFixture(fixtures.EnvironmentVariable(
            kvm_hosts.NO_KVM_ENV, no_kvm))
        self.useFixture(fixtures.FakeLogger())
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', _Sink()))
        result = testtools.TestResult()
        _Probe('probe').run(result)
        return result

    def test_missing_kvm_fails_naming_it(self):
        result = self._run_probe(['/dev/kvm (hardware virtualization)'],
                                 None)
        self.assertEqual(1, len(result.failures))
        message = result.failures[0][1]
        self.assertIn('/dev/kvm', message)
        self.assertIn('MIGRATOR_NO_KVM=1', message)

    def test_missing_kvm_skips_when_told(self):
        result = self._run_probe(['/dev/kvm (hardware virtualization)'],
                                 '1')
        self.assertEqual([], result.failures)
        self.assertEqual(1, len(result.skip_reasons))

    def test_nothing_missing_runs(self):
        result = self._run_probe([], None)
        self.assertTrue(result.wasSuccessful())
        self.assertEqual({}, result.skip_reasons)


class _Sink:
    def write(self, text):
        return len(text)

    def flush(self):
        pass
