"""A minimal identity v3 version document, served only with
``[api] auth_strategy = noauth2``.

The openstack CLI builds an identity v3 client before ``server list``
(and some other commands) and fails when version discovery finds no v3.
There is no Keystone in noauth2 mode, so the compute API answers
``GET /identity`` and ``GET /identity/v3`` with a version document that
names v3 and nothing else: every other /identity path is a 404. Point
the CLI at it with ``identity_endpoint_override`` (see
doc/source/api/noauth2.rst).

Clients that authenticate with a token against an auth URL (the
``nova`` CLI: ``--os-token``, ``--os-project-id``, ``--os-auth-url``)
also ``POST /identity/v3/auth/tokens``: the answer hands back the same
noauth2 token (``user:project``, from the token given or from the
password method's user name and the scope's project), with a catalog
naming this compute API and its image lookups (handlers/images.py). No
password is checked: noauth2 trusts the caller anyway.
"""
import datetime

from oslo_utils import timeutils

from migrator.api import errors
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


_DOMAIN = {'id': 'default', 'name': 'Default'}


def _noauth2_token(body):
    auth = body.get('auth') if isinstance(body, dict) else None
    if not isinstance(auth, dict):
        raise errors.BadRequest('Expecting to find auth in the request.')
    identity = auth.get('identity') or {}
    methods = identity.get('methods') or []
    if 'token' in methods:
        token = (identity.get('token') or {}).get('id') or ''
        if ':' in token or not token:
            return token
        user = token
    elif 'password' in methods:
        user_ref = (identity.get('password') or {}).get('user') or {}
        user = user_ref.get('name') or user_ref.get('id') or ''
    else:
        raise errors.Unauthorized('noauth2 takes the token and password '
                                  'methods.')
    project = ((auth.get('scope') or {}).get('project') or {})
    project = project.get('id') or project.get('name') or user
    return '%s:%s' % (user, project)


def _endpoint(kind, url):
    return {'id': kind, 'type': kind, 'name': kind,
            'endpoints': [{'id': kind + '-public', 'interface': 'public',
                           'region': 'RegionOne',
                           'region_id': 'RegionOne', 'url': url}]}


def tokens(req):
    token = _noauth2_token(req.json())
    if not token:
        raise errors.Unauthorized('A token or a user name is required.')
    user, _, project = token.partition(':')
    project = project or user
    now = timeutils.utcnow()
    roles = ['admin', 'member', 'reader'] if user == 'admin' else \
        ['member', 'reader']
    body = {'token': {
        'methods': ['token'],
        'issued_at': now.isoformat() + 'Z',
        'expires_at': (now + datetime.timedelta(hours=12)).isoformat() +
        'Z',
        'user': {'id': user, 'name': user, 'domain': _DOMAIN},
        'project': {'id': project, 'name': project, 'domain': _DOMAIN},
        'roles': [{'id': r, 'name': r} for r in roles],
        'catalog': [
            _endpoint('compute', req.application_url_for('v2.1')),
            _endpoint('image', req.application_url_for('image')),
        ],
    }}
    return wsgi.json_response(body, status=201,
                              headers=[('X-Subject-Token', token)])
