"""POST /volumes/{volume_id}/action: the body's one key names the action
(os-migrate_volume, os-migrate_volume_completion)."""
from oslo_utils import strutils

from migrator.api import errors
from migrator.api import validation
from migrator.api.volume.handlers import volumes
from migrator.api.volume.schemas import volumes as schemas
from migrator.api import wsgi
from migrator.policies import volumes as volume_policies
from migrator import policy

API = volumes.API


def _bool(value, name):
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise errors.BadRequest('Invalid input received: %s must be a '
                                'boolean, not %r' % (name, value))


@validation.response(None, 202)
@validation.documents(schemas.migrate_volume)
def migrate_volume(req, body):
    policy.authorize(req.context, volume_policies.MIGRATE)
    validation.validate(schemas.migrate_volume, body)
    volume = volumes.get_volume(req, volume_policies.MIGRATE)
    params = body['os-migrate_volume']
    API.migrate(req.context, volume, params['host'],
                force_host_copy=_bool(params.get('force_host_copy', False),
                                      'force_host_copy'),
                lock_volume=_bool(params.get('lock_volume', False),
                                  'lock_volume'))
    return wsgi.empty_response(202)


@validation.responses(schemas.migrate_completion_response)
@validation.documents(schemas.migrate_volume_completion)
def migrate_volume_completion(req, body):
    policy.authorize(req.context, volume_policies.MIGRATE_COMPLETION)
    validation.validate(schemas.migrate_volume_completion, body)
    volume = volumes.get_volume(req, volume_policies.MIGRATE_COMPLETION)
    params = body['os-migrate_volume_completion']
    error = params.get('error')
    saved = API.migrate_completion(
        req.context, volume, params['new_volume'],
        _bool(error, 'error') if error is not None else False)
    return wsgi.json_response({'save_volume_id': saved})


ACTIONS = {
    'os-migrate_volume': migrate_volume,
    'os-migrate_volume_completion': migrate_volume_completion,
}


def dispatch(req):
    """Serve the action the body names (one of ``ACTIONS``)."""
    body = req.json()
    if not isinstance(body, dict) or len(body) != 1:
        raise errors.BadRequest('Invalid request body: one action key is '
                                'required.')
    name = next(iter(body))
    handler = ACTIONS.get(name)
    if handler is None:
        raise errors.BadRequest('There is no such action: %s' % name)
    return handler(req, body)


dispatch.actions = ACTIONS
