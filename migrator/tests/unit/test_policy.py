"""Policy defaults: who may do what, as in Nova."""
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from migrator.api import middleware
from migrator import context
from migrator import exception
from migrator import policies
from migrator import policy

CONF = cfg.CONF


def ctx(token):
    user, project, roles = middleware.noauth2_identity(token)
    return context.RequestContext(user_id=user, project_id=project,
                                  roles=roles)


class TestPolicyDefaults(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(config_fixture.Config(CONF))
        policy.reset()
        self.addCleanup(policy.reset)

    def test_rule_names_are_unique(self):
        names = [rule.name for rule in policies.list_rules()]
        self.assertEqual(len(names), len(set(names)))

    def test_noauth2_identity(self):
        self.assertEqual(('admin', 'admin', ['admin', 'member', 'reader']),
                         middleware.noauth2_identity('admin'))
        self.assertEqual(('alice', 'p1', ['member', 'reader']),
                         middleware.noauth2_identity('alice:p1'))
        self.assertEqual(('notused', 'notused', ['member', 'reader']),
                         middleware.noauth2_identity('notused'))

    def _allowed(self, token, rule, project='p1'):
        return policy.check(ctx(token), rule, {'project_id': project})

    def test_matrix(self):
        cases = [
            # rule, admin, member of p1, member of p2
            ('os_compute_api:servers:show', True, True, False),
            ('os_compute_api:servers:create', True, True, False),
            ('os_compute_api:servers:delete', True, True, False),
            ('os_compute_api:servers:detail:get_all_tenants', True, False,
             False),
            ('os_compute_api:os-extended-server-attributes', True, False,
             False),
            ('compute:servers:create:requested_destination', True, False,
             False),
            ('os_compute_api:flavors', True, True, True),
            ('os_compute_api:os-flavor-manage:create', True, False, False),
            ('os_compute_api:os-flavor-extra-specs:index', True, True,
             False),
            ('os_compute_api:os-services:list', True, False, False),
            ('os_compute_api:os-services:update', True, False, False),
            ('os_compute_api:os-hypervisors:list-detail', True, False,
             False),
        ]
        for rule, admin, member, other in cases:
            self.assertEqual(admin, self._allowed('admin:p9', rule), rule)
            self.assertEqual(member, self._allowed('alice:p1', rule), rule)
            self.assertEqual(other, self._allowed('bob:p2', rule), rule)

    def test_authorize_raises_403(self):
        exc = self.assertRaises(exception.PolicyNotAuthorized,
                                policy.authorize, ctx('bob:p2'),
                                'os_compute_api:os-services:list')
        self.assertEqual(403, exc.code)
        self.assertIn('os_compute_api:os-services:list',
                      exc.format_message())


class TestCheckSignatures(testtools.TestCase):
    """oslo.policy asks inspect.getfullargspec(check.__call__) at every
    check; the check classes carry their signature, computed once, so
    inspect answers from it (the same answer)."""

    def setUp(self):
        super().setUp()
        policy.reset()
        self.addCleanup(policy.reset)

    def test_check_classes_carry_their_own_signature(self):
        import inspect

        from oslo_policy import policy as oslo_policy
        policy.init()
        calls = [oslo_policy.Check.__subclasses__()[0].__call__,
                 oslo_policy.AndCheck.__call__,
                 oslo_policy.RuleCheck.__call__]
        for call in calls:
            self.assertIsInstance(call.__dict__.get('__signature__'),
                                  inspect.Signature, call)
            code = call.__code__
            self.assertEqual(list(code.co_varnames[:code.co_argcount]),
                             list(call.__signature__.parameters))
