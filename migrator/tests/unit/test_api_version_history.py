"""doc/source/api/rest_api_version_history.rst has one entry for every
compute microversion served, and each entry either names the tests that
cover it or says that no served resource changes.

When this fails after MAX_VERSION was raised: add the new version's
entry with its tests (gabbi YAML under migrator/tests/functional/api/
gabbits/, or a functional test module).
"""
import os
import re

from migrator.api.compute import api_version
from migrator.tests import base

_ROOT = os.path.join(os.path.dirname(__file__), '..', '..', '..')
DOC = os.path.join(_ROOT, 'doc', 'source', 'api',
                   'rest_api_version_history.rst')
FUNCTIONAL = os.path.join(_ROOT, 'migrator', 'tests', 'functional')

_ENTRY = re.compile(r'^\* \*\*(2\.\d+)\*\* — (.*?)(?=^\* \*\*|^\s*$)',
                    re.M | re.S)
_TESTS = re.compile(r'\[tests: ([^\]]+)\]')
_NO_CHANGE = '[no served resource changes]'


def entries():
    """{'2.N': entry text} of the 'Every microversion' section."""
    with open(DOC, encoding='utf-8') as f:
        text = f.read()
    found = {}
    for version, body in _ENTRY.findall(text):
        found.setdefault(version, []).append(' '.join(body.split()))
    return found


def _test_path(name):
    if name.startswith('gabbits/'):
        return os.path.join(FUNCTIONAL, 'api', name)
    return os.path.join(FUNCTIONAL, name)


class TestVersionHistory(base.TestCase):

    def test_every_served_version_has_one_entry(self):
        found = entries()
        top = int(api_version.MAX_VERSION.split('.')[1])
        expected = {'2.%d' % minor for minor in range(1, top + 1)}
        self.assertEqual([], sorted(expected - set(found),
                                    key=lambda v: int(v.split('.')[1])),
                         'versions without an entry')
        self.assertEqual([], sorted(set(found) - expected),
                         'entries beyond MAX_VERSION')
        twice = sorted(v for v, bodies in found.items() if len(bodies) > 1)
        self.assertEqual([], twice, 'versions with more than one entry')

    def test_each_entry_names_existing_tests_or_no_change(self):
        for version, (body,) in entries().items():
            tests = _TESTS.search(body)
            if tests is None:
                self.assertIn(_NO_CHANGE, body,
                              '%s names neither tests nor "%s"'
                              % (version, _NO_CHANGE))
                continue
            self.assertNotIn(_NO_CHANGE, body, version)
            for name in tests.group(1).split(','):
                name = name.strip()
                self.assertTrue(os.path.exists(_test_path(name)),
                                '%s names %s, which does not exist'
                                % (version, name))
