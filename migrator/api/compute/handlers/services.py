"""os-services: list; enable/disable/force down a compute service (the
host/binary actions below 2.53, PUT /os-services/{uuid} from 2.53);
delete."""
from oslo_utils import uuidutils

from migrator.api.compute.schemas import services as schemas
from migrator.api.compute.views import services as views
from migrator.api import errors
from migrator.api import validation
from migrator.api import wsgi
from migrator.compute import api as compute_api
from migrator.policies import services as service_policies
from migrator import policy

API = compute_api.API()


# Nova's binary names: clients written for Nova (Watcher asks for
# binary='nova-compute') find migrator's services by them.
NOVA_BINARIES = {'nova-compute': compute_api.COMPUTE_BINARY,
                 'nova-conductor': 'migrator-conductor'}


def _binary(name):
    return NOVA_BINARIES.get(name, name)


@validation.responses(schemas.index_response)
@validation.query(schemas.index_query, '2.1', '2.74')
@validation.query(schemas.index_query_v275, '2.75')
def index(req):
    policy.authorize(req.context, service_policies.BASE % 'list')
    services = API.list_services(req.context,
                                 host=req.GET.get('host'),
                                 binary=_binary(req.GET.get('binary')))
    return wsgi.json_response(
        {'services': [views.show(req, s) for s in services]})


def _only_compute(service):
    if service.binary != compute_api.COMPUTE_BINARY:
        raise errors.BadRequest(
            'Updating a %s service is not supported. Only %s services can '
            'be updated.' % (service.binary, compute_api.COMPUTE_BINARY))


def _legacy_action(req, action):
    """PUT /os-services/{enable,disable,disable-log-reason,force-down}
    (below 2.53): the service named by host and binary in the body."""
    from migrator.api.validation import validate
    body = req.json()
    if action in ('enable', 'disable'):
        validate(schemas.enable_disable, body)
    elif action == 'disable-log-reason':
        validate(schemas.disable_log_reason, body)
    elif action == 'force-down' and req.is_version('2.11'):
        validate(schemas.force_down, body)
    else:
        raise errors.NotFound('Unknown action')
    service = API.get_service_by_host_and_binary(
        req.context, body['host'], _binary(body['binary']))
    _only_compute(service)
    # The binary as the caller named it, as Nova echoes it.
    result = {'host': service.host, 'binary': body['binary']}
    if action == 'force-down':
        API.update_service(req.context, service,
                           forced_down=body['forced_down'])
        result['forced_down'] = body['forced_down']
    elif action == 'enable':
        API.update_service(req.context, service, disabled=False,
                           disabled_reason=None)
        result['status'] = 'enabled'
    else:
        reason = body.get('disabled_reason')
        API.update_service(req.context, service, disabled=True,
                           disabled_reason=reason)
        result['status'] = 'disabled'
        if action == 'disable-log-reason':
            result['disabled_reason'] = reason
    return wsgi.json_response({'service': result})


@validation.responses(schemas.update_response)
@validation.documents(schemas.enable_disable, '2.1', '2.52')
@validation.documents(schemas.disable_log_reason, '2.1', '2.52')
@validation.documents(schemas.force_down, '2.11', '2.52')
@validation.documents(schemas.update_v253, '2.53')
def update(req):
    policy.authorize(req.context, service_policies.BASE % 'update')
    service_id = req.url_vars['service_id']
    if not req.is_version('2.53'):
        return _legacy_action(req, service_id)
    body = req.json()
    validation.validate(schemas.update_v253, body)
    if not body:
        raise errors.BadRequest('No updates were requested: send status, '
                                'disabled_reason or forced_down.')
    if 'disabled_reason' in body and body.get('status') != 'disabled':
        raise errors.BadRequest("Specifying 'disabled_reason' with status "
                                "other than 'disabled' is invalid.")
    if not uuidutils.is_uuid_like(service_id):
        raise errors.BadRequest('Invalid uuid %s' % service_id)
    service = API.get_service(req.context, uuid=service_id)
    _only_compute(service)
    values = {}
    if 'status' in body:
        values['disabled'] = body['status'] == 'disabled'
        values['disabled_reason'] = body.get('disabled_reason') \
            if values['disabled'] else None
    if 'forced_down' in body:
        values['forced_down'] = body['forced_down']
    API.update_service(req.context, service, **values)
    return wsgi.json_response({'service': views.show(req, service)})


@validation.response(None, 204)
def delete(req):
    policy.authorize(req.context, service_policies.BASE % 'delete')
    service_id = req.url_vars['service_id']
    if req.is_version('2.53'):
        if not uuidutils.is_uuid_like(service_id):
            raise errors.BadRequest('Invalid uuid %s' % service_id)
        service = API.get_service(req.context, uuid=service_id)
    else:
        try:
            number = int(service_id)
        except ValueError:
            raise errors.BadRequest('Invalid service id %s: an integer '
                                    'below microversion 2.53.'
                                    % service_id)
        service = API.get_service(req.context, service_id=number)
    API.delete_service(req.context, service)
    return wsgi.empty_response(204)
