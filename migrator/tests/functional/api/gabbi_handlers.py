"""A gabbi response handler for the conformance suites: exact key sets.

    response_json_keys:
      $.server: [id, links, adminPass, security_groups, OS-DCF:diskConfig]

passes when the object at each JSONPath has exactly those keys (in any
order): a key Nova has and migrator lacks fails it, and so does one
migrator adds. A path matching several objects (``$.flavors[*]``)
checks each of them.
"""
from gabbi.handlers import base
from gabbi.handlers import jsonhandler


class JSONKeysHandler(base.ResponseHandler):

    test_key_suffix = 'json_keys'
    test_key_value = {}

    def action(self, test, path, value=None):
        path = test.replace_template(path)
        try:
            found = jsonhandler.JSONHandler.extract_json_path_value(
                test.response_data, path)
        except (AttributeError, ValueError):
            raise AssertionError('JSON path %s matches nothing in %s'
                                 % (path, test.response_data))
        objects = found if isinstance(found, list) else [found]
        expected = sorted(value or [])
        for obj in objects:
            if not isinstance(obj, dict):
                raise AssertionError('%s is not an object: %r'
                                     % (path, obj))
            got = sorted(obj)
            missing = sorted(set(expected) - set(got))
            extra = sorted(set(got) - set(expected))
            test.assertEqual(
                expected, got,
                'Keys of %s: missing %s, unexpected %s'
                % (path, missing, extra))
