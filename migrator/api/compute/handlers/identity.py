"""A minimal identity v3 version document, served only with
``[api] auth_strategy = noauth2``.

The openstack CLI builds an identity v3 client before ``server list``
(and some other commands) and fails when version discovery finds no v3.
There is no Keystone in noauth2 mode, so the compute API answers
``GET /identity`` and ``GET /identity/v3`` with a version document that
names v3 and nothing else: every other /identity path is a 404. Point
the CLI at it with ``identity_endpoint_override`` (see
doc/source/api/noauth2.rst).
"""
from migrator.api import wsgi

UPDATED = '2024-01-01T00:00:00Z'


def _v3(req):
    return {'id': 'v3.14', 'status': 'stable', 'updated': UPDATED,
            'links': [{'rel': 'self',
                       'href': req.application_url_for('identity', 'v3')
                       + '/'}],
            'media-types': [{'base': 'application/json',
                             'type': 'application/'
                                     'vnd.openstack.identity-v3+json'}]}


def versions(req):
    return wsgi.json_response({'versions': {'values': [_v3(req)]}},
                              status=300)


def v3(req):
    return wsgi.json_response({'version': _v3(req)})
