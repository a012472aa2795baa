"""Block storage and volume-attachment policy defaults (Cinder's and
Nova's), and their place in the generated sample policy file."""
import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslo_policy import generator
import testtools

from migrator import policy
from migrator.tests.unit import test_policy

CONF = cfg.CONF


class TestVolumePolicyDefaults(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(config_fixture.Config(CONF))
        policy.reset()
        self.addCleanup(policy.reset)

    def test_matrix(self):
        cases = [
            # rule, admin, member of p1, member of p2
            ('volume:create', True, True, False),
            ('volume:get', True, True, False),
            ('volume:get_all', True, True, False),
            ('volume:delete', True, True, False),
            ('volume:get_all:all_tenants', True, False, False),
            ('volume_extension:volume_admin_actions:migrate_volume', True,
             False, False),
            ('volume_extension:volume_admin_actions:'
             'migrate_volume_completion', True, False, False),
            ('volume_extension:volume_host_attribute', True, False, False),
            ('volume_extension:volume_mig_status_attribute', True, False,
             False),
            ('volume_extension:volume_migration_progress', True, False,
             False),
            ('volume_extension:services:index', True, False, False),
            ('os_compute_api:os-volumes-attachments:index', True, True,
             False),
            ('os_compute_api:os-volumes-attachments:create', True, True,
             False),
            ('os_compute_api:os-volumes-attachments:update', True, True,
             False),
            ('os_compute_api:os-volumes-attachments:swap', True, False,
             False),
            ('os_compute_api:os-volumes-attachments:delete', True, True,
             False),
        ]
        case = test_policy.TestPolicyDefaults('test_matrix')
        for rule, admin, member, other in cases:
            self.assertEqual(admin, case._allowed('admin:p9', rule), rule)
            self.assertEqual(member, case._allowed('alice:p1', rule), rule)
            self.assertEqual(other, case._allowed('bob:p2', rule), rule)

    def test_service_role_may_swap(self):
        ctxt = test_policy.ctx('nova:service')
        ctxt.roles.append('service')
        self.assertTrue(policy.check(
            ctxt, 'os_compute_api:os-volumes-attachments:swap',
            {'project_id': 'p1'}))

    def test_sample_file_lists_the_volume_rules(self):
        # What oslopolicy-sample-generator --namespace migrator writes.
        path = self.useFixture(fixtures.TempDir()).join('policy.yaml')
        generator._generate_sample(['migrator'], output_path=path)
        with open(path) as handle:
            rendered = handle.read()
        self.assertIn('"volume_extension:volume_migration_progress": '
                      '"rule:context_is_admin"', rendered)
        self.assertIn('"os_compute_api:os-volumes-attachments:swap"',
                      rendered)
