"""The policy matrix (issue 13): every registered rule against every
persona, with Nova's and Cinder's default roles.

Personas (Keystone's implied roles: manager implies member implies
reader):

* ``A`` admin (role admin, in another project),
* ``M`` project manager of the owning project p1,
* ``m`` member of p1, ``r`` reader of p1,
* ``o`` member of another project p2,
* ``S`` a service token (role service, project ``service``),
* ``N`` no identity at all.

A rule added without a row here fails ``test_every_rule_has_a_row``.
The defaults can be overridden from a policy file, and the
``oslopolicy-*`` tools read them through the ``migrator`` namespace.
"""
import json
import os
import subprocess
import sys

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslo_policy import opts as policy_opts
from oslo_policy import policy as oslo_policy
import testtools

from migrator import context
from migrator import policies
from migrator import policy

CONF = cfg.CONF

PERSONAS = {
    'A': ('admin', 'p9', ['admin', 'member', 'reader']),
    'M': ('mary', 'p1', ['manager', 'member', 'reader']),
    'm': ('alice', 'p1', ['member', 'reader']),
    'r': ('rita', 'p1', ['reader']),
    'o': ('bob', 'p2', ['member', 'reader']),
    'S': ('nova', 'service', ['service']),
    'N': (None, None, []),
}

ADMIN = 'A'
READ = 'AMmr'
WRITE = 'AMm'
MANAGE = 'AM'
ANYONE = 'AMmroSN'

# Rule -> the personas it allows on a resource of project p1.
EXPECTED = {
    'os_compute_api:flavors': ANYONE,
    'os_compute_api:os-flavor-access': ADMIN,
    'os_compute_api:os-flavor-manage:create': ADMIN,
    'os_compute_api:os-flavor-manage:update': ADMIN,
    'os_compute_api:os-flavor-manage:delete': ADMIN,
    'os_compute_api:os-flavor-extra-specs:index': READ,
    'os_compute_api:os-flavor-extra-specs:show': READ,
    'os_compute_api:os-flavor-extra-specs:create': ADMIN,
    'os_compute_api:os-flavor-extra-specs:update': ADMIN,
    'os_compute_api:os-flavor-extra-specs:delete': ADMIN,
    'os_compute_api:os-hypervisors:list': ADMIN,
    'os_compute_api:os-hypervisors:list-detail': ADMIN,
    'os_compute_api:os-hypervisors:show': ADMIN,
    'os_compute_api:os-hypervisors:statistics': ADMIN,
    'os_compute_api:os-hypervisors:search': ADMIN,
    'os_compute_api:os-hypervisors:servers': ADMIN,
    'os_compute_api:os-hypervisors:uptime': ADMIN,
    'os_compute_api:os-instance-actions:list': READ,
    'os_compute_api:os-instance-actions:show': READ,
    # Event tracebacks and hosts: admins only.
    'os_compute_api:os-instance-actions:events': ADMIN,
    'os_compute_api:os-instance-actions:events:details': ADMIN,
    'os_compute_api:os-migrate-server:migrate_live': MANAGE,
    'os_compute_api:os-migrate-server:migrate_live:host': ADMIN,
    'os_compute_api:os-migrate-server:migrate': MANAGE,
    'os_compute_api:os-migrate-server:migrate:host': ADMIN,
    'os_compute_api:os-migrations:index': MANAGE,
    'os_compute_api:os-migrations:index:all_projects': ADMIN,
    # Host fields in os-migrations: admins only.
    'os_compute_api:os-migrations:index:host': ADMIN,
    'os_compute_api:servers:index': READ,
    'os_compute_api:servers:detail': READ,
    'os_compute_api:servers:index:get_all_tenants': ADMIN,
    'os_compute_api:servers:detail:get_all_tenants': ADMIN,
    'os_compute_api:servers:allow_all_filters': ADMIN,
    'os_compute_api:servers:show': READ,
    'os_compute_api:servers:show:host_status': ADMIN,
    'os_compute_api:servers:create': WRITE,
    'os_compute_api:servers:create:forced_host': ADMIN,
    'compute:servers:create:requested_destination': ADMIN,
    'os_compute_api:servers:update': WRITE,
    'os_compute_api:servers:delete': WRITE,
    'os_compute_api:os-extended-server-attributes': ADMIN,
    'os_compute_api:servers:migrations:show': ADMIN,
    'os_compute_api:servers:migrations:index': MANAGE,
    # Host fields in server migrations: admins only.
    'os_compute_api:servers:migrations:index:host': ADMIN,
    'os_compute_api:servers:migrations:force_complete': MANAGE,
    'os_compute_api:servers:migrations:delete': MANAGE,
    # Runtime controls of a live migration (2.107): admins only.
    'os_compute_api:servers:migrations:set_max_downtime': ADMIN,
    'os_compute_api:servers:migrations:set_bandwidth': ADMIN,
    'os_compute_api:servers:migrations:switch_to_post_copy': ADMIN,
    # Prometheus metrics: admins only.
    'migrator:metrics': ADMIN,
    # The dashboard's volume migrations: admins only.
    'migrator:dashboard:volume_migrations': ADMIN,
    'os_compute_api:servers:resize': WRITE,
    'os_compute_api:servers:confirm_resize': WRITE,
    'os_compute_api:servers:revert_resize': WRITE,
    'os_compute_api:os-services:list': ADMIN,
    'os_compute_api:os-services:update': ADMIN,
    'os_compute_api:os-services:delete': ADMIN,
    'os_compute_api:os-volumes-attachments:index': READ,
    'os_compute_api:os-volumes-attachments:show': READ,
    'os_compute_api:os-volumes-attachments:create': WRITE,
    'os_compute_api:os-volumes-attachments:update': WRITE,
    # Swapping a volume: the service role (Cinder calls it) or admins.
    'os_compute_api:os-volumes-attachments:swap': 'AS',
    'os_compute_api:os-volumes-attachments:delete': WRITE,
    'volume:create': WRITE,
    'volume:get': READ,
    'volume:get_all': READ,
    'volume:get_all:all_tenants': ADMIN,
    'volume:delete': WRITE,
    'volume_extension:volume_admin_actions:migrate_volume': ADMIN,
    'volume_extension:volume_admin_actions:migrate_volume_completion':
        ADMIN,
    # os-vol-host-attr:host, os-vol-mig-status-attr:*,
    # migration_progress: admins only.
    'volume_extension:volume_host_attribute': ADMIN,
    'volume_extension:volume_mig_status_attribute': ADMIN,
    'volume_extension:volume_tenant_attribute': READ,
    'volume_extension:volume_migration_progress': ADMIN,
    'volume_extension:services:index': ADMIN,
}

# The base rules the others are built from (not checked on their own).
BASE_RULES = {
    'context_is_admin', 'project_manager_api', 'project_member_api',
    'project_reader_api', 'project_manager_or_admin',
    'project_member_or_admin', 'project_reader_or_admin', 'service_api',
}


def persona(code):
    user, project, roles = PERSONAS[code]
    return context.RequestContext(user_id=user, project_id=project,
                                  roles=roles)


class TestPolicyMatrix(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(config_fixture.Config(CONF))
        policy.reset()
        self.addCleanup(policy.reset)

    def test_every_rule_has_a_row(self):
        registered = {rule.name for rule in policies.list_rules()}
        self.assertEqual(set(), set(EXPECTED) - registered,
                         'rows for rules that do not exist')
        self.assertEqual(set(), registered - BASE_RULES - set(EXPECTED),
                         'rules without a row in the matrix')

    def test_matrix(self):
        wrong = []
        target = {'project_id': 'p1', 'user_id': 'alice'}
        for rule, allowed in sorted(EXPECTED.items()):
            for code in PERSONAS:
                got = policy.check(persona(code), rule, dict(target))
                if got != (code in allowed):
                    wrong.append('%s: %s %s' % (
                        rule, code, 'allowed' if got else 'refused'))
        self.assertEqual([], wrong)

    def test_every_operation_rule_is_project_scoped(self):
        for rule in policies.list_rules():
            if rule.name in BASE_RULES:
                continue
            self.assertEqual(['project'], rule.scope_types, rule.name)


class TestPolicyFile(testtools.TestCase):
    """Overrides from [oslo_policy] policy_file win over the defaults."""

    def test_override_from_a_policy_file(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'policy.yaml')
        with open(path, 'w') as f:
            f.write('"os_compute_api:os-services:list": "role:reader"\n'
                    '"volume:create": "!"\n')
        conf = cfg.ConfigOpts()
        conf([], project='migrator', default_config_files=[])
        policy_opts.set_defaults(conf, policy_file=path)
        policy.reset()
        self.addCleanup(policy.reset)
        policy.init(conf)
        target = {'project_id': 'p1', 'user_id': 'alice'}
        self.assertTrue(policy.check(persona('r'),
                                     'os_compute_api:os-services:list',
                                     target))
        self.assertFalse(policy.check(persona('A'), 'volume:create',
                                      target))
        # The others keep their defaults.
        self.assertFalse(policy.check(persona('r'),
                                      'os_compute_api:os-services:delete',
                                      target))


class TestPolicyFileRecheck(testtools.TestCase):
    """The policy file is looked at for a change at most every
    RULES_RECHECK s, not at every check; a change takes effect within
    that time."""

    def test_checks_in_between_do_not_reload(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(tmp, 'policy.yaml')
        with open(path, 'w') as f:
            f.write('"os_compute_api:os-services:list": "role:reader"\n')
        conf = cfg.ConfigOpts()
        conf([], project='migrator', default_config_files=[])
        policy_opts.set_defaults(conf, policy_file=path)
        policy.reset()
        self.addCleanup(policy.reset)
        now = [1000.0]
        self.useFixture(fixtures.MockPatch(
            'migrator.policy.time.monotonic', lambda: now[0]))
        loads = []
        original = oslo_policy.Enforcer._load_policy_file

        def counted(enforcer, *args, **kwargs):
            loads.append(now[0])
            return original(enforcer, *args, **kwargs)
        self.useFixture(fixtures.MockPatchObject(
            oslo_policy.Enforcer, '_load_policy_file', counted))
        policy.init(conf)
        target = {'project_id': 'p1', 'user_id': 'alice'}
        rule = 'os_compute_api:os-services:list'
        for _ in range(10):
            self.assertTrue(policy.check(persona('r'), rule, target))
        self.assertEqual([1000.0], loads)
        with open(path, 'w') as f:
            f.write('"os_compute_api:os-services:list": "!"\n')
        stat = os.stat(path)
        os.utime(path, (stat.st_atime, stat.st_mtime + 5))
        now[0] += policy.RULES_RECHECK / 2
        self.assertTrue(policy.check(persona('r'), rule, target))
        now[0] += policy.RULES_RECHECK
        self.assertFalse(policy.check(persona('r'), rule, target))
        self.assertEqual(2, len(loads))


class TestPolicyTools(testtools.TestCase):
    """The oslo.policy command-line tools know migrator's rules."""

    def _tool(self, name, *argv):
        bindir = os.path.dirname(sys.executable)
        return subprocess.run([os.path.join(bindir, name)] + list(argv),
                              capture_output=True, text=True, timeout=120)

    def test_sample_generator_lists_every_rule(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        out = os.path.join(tmp, 'policy.yaml.sample')
        result = self._tool('oslopolicy-sample-generator', '--namespace',
                            'migrator', '--output-file', out)
        self.assertEqual(0, result.returncode, result.stderr)
        with open(out) as f:
            sample = f.read()
        for rule in EXPECTED:
            self.assertIn('"%s"' % rule, sample)

    def test_checker_evaluates_a_token(self):
        tmp = self.useFixture(fixtures.TempDir()).path
        # The checker reads the rules from a file: the effective policy
        # (defaults merged with overrides) as the policy generator
        # writes it.
        policy_path = os.path.join(tmp, 'policy.yaml')
        result = self._tool('oslopolicy-policy-generator', '--namespace',
                            'migrator', '--output-file', policy_path)
        self.assertEqual(0, result.returncode, result.stderr)
        access = os.path.join(tmp, 'access.json')
        with open(access, 'w') as f:
            json.dump({'token': {
                'roles': [{'name': 'reader'}],
                'project': {'id': 'p1', 'name': 'p1',
                            'domain': {'id': 'default'}},
                'user': {'id': 'rita', 'name': 'rita',
                         'domain': {'id': 'default'}}}}, f)
        target = os.path.join(tmp, 'target.json')
        with open(target, 'w') as f:
            json.dump({'project_id': 'p1'}, f)
        enforcer_conf = os.path.join(tmp, 'enforcer.conf')
        with open(enforcer_conf, 'w') as f:
            f.write('[DEFAULT]\nnamespace = migrator\n')
        result = self._tool('oslopolicy-checker', '--policy', policy_path,
                            '--access', access, '--enforcer_config',
                            enforcer_conf, '--rule',
                            'os_compute_api:servers:show',
                            '--target', target)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertIn('passed', result.stdout)
        result = self._tool('oslopolicy-checker', '--policy', policy_path,
                            '--access', access, '--enforcer_config',
                            enforcer_conf, '--rule',
                            'os_compute_api:servers:delete',
                            '--target', target)
        self.assertIn('failed', result.stdout)
