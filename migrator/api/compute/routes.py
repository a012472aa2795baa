"""The compute API's route table: every (method, path) it serves, the
handler, and the microversion range where that row applies.

Paths are relative to the service root; '/v2.1/...' paths are
microversioned. A path Nova has and this table lacks answers 404.
"""
from migrator.api.compute.handlers import flavors
from migrator.api.compute.handlers import hypervisors
from migrator.api.compute.handlers import identity
from migrator.api.compute.handlers import images
from migrator.api.compute.handlers import instance_actions
from migrator.api.compute.handlers import migrations
from migrator.api.compute.handlers import server_actions
from migrator.api.compute.handlers import server_migrations
from migrator.api.compute.handlers import servers
from migrator.api.compute.handlers import services
from migrator.api.compute.handlers import versions
from migrator.api.compute.handlers import volume_attachments
from migrator.api import openapi
from migrator.api.wsgi import route

PREFIX = '/v2.1'


def _v(method, path, handler, min_version=None, max_version=None):
    return route(method, PREFIX + path, handler, min_version, max_version)


ROUTES = [
    route('GET', '/', versions.index),
    # Nova's legacy v2.0 API: only its version document is served.
    route('GET', '/v2', versions.show_v20),
    route('GET', '/openapi.json', openapi.handler('compute')),
    _v('GET', '', versions.show),

    _v('GET', '/flavors', flavors.index),
    _v('POST', '/flavors', flavors.create),
    _v('GET', '/flavors/detail', flavors.detail),
    _v('GET', '/flavors/{flavor_id}', flavors.show),
    _v('PUT', '/flavors/{flavor_id}', flavors.update, '2.55'),
    _v('DELETE', '/flavors/{flavor_id}', flavors.delete),
    _v('GET', '/flavors/{flavor_id}/os-extra_specs',
       flavors.extra_specs_index),
    _v('POST', '/flavors/{flavor_id}/os-extra_specs',
       flavors.extra_specs_create),
    _v('GET', '/flavors/{flavor_id}/os-extra_specs/{key}',
       flavors.extra_spec_show),
    _v('PUT', '/flavors/{flavor_id}/os-extra_specs/{key}',
       flavors.extra_spec_update),
    _v('DELETE', '/flavors/{flavor_id}/os-extra_specs/{key}',
       flavors.extra_spec_delete),

    _v('GET', '/servers', servers.index),
    _v('POST', '/servers', servers.create),
    _v('GET', '/servers/detail', servers.detail),
    _v('GET', '/servers/{server_id}', servers.show),
    _v('PUT', '/servers/{server_id}', servers.update),
    _v('DELETE', '/servers/{server_id}', servers.delete),
    _v('GET', '/servers/{server_id}/migrations',
       server_migrations.index, '2.23'),
    _v('GET', '/servers/{server_id}/migrations/{migration_id}',
       server_migrations.show, '2.23'),
    _v('DELETE', '/servers/{server_id}/migrations/{migration_id}',
       server_migrations.delete, '2.24'),
    # The body's one key names the action: force_complete; from 2.107
    # also set_max_downtime, set_bandwidth, switch_to_post_copy.
    _v('POST',
       '/servers/{server_id}/migrations/{migration_id}/action',
       server_migrations.action, '2.22'),
    _v('GET', '/os-migrations', migrations.index),
    # The body's one key names the action (server_actions.ACTIONS).
    _v('POST', '/servers/{server_id}/action', server_actions.dispatch),
    _v('GET', '/servers/{server_id}/os-instance-actions',
       instance_actions.index),
    _v('GET', '/servers/{server_id}/os-instance-actions/{request_id}',
       instance_actions.show),

    _v('GET', '/servers/{server_id}/os-volume_attachments',
       volume_attachments.index),
    _v('POST', '/servers/{server_id}/os-volume_attachments',
       volume_attachments.create),
    _v('GET', '/servers/{server_id}/os-volume_attachments/{volume_id}',
       volume_attachments.show),
    _v('PUT', '/servers/{server_id}/os-volume_attachments/{volume_id}',
       volume_attachments.update),
    _v('DELETE', '/servers/{server_id}/os-volume_attachments/{volume_id}',
       volume_attachments.delete),

    _v('GET', '/os-services', services.index),
    # Below 2.53 {service_id} is one of the actions enable, disable,
    # disable-log-reason, force-down (2.11); from 2.53 a service uuid.
    _v('PUT', '/os-services/{service_id}', services.update),
    _v('DELETE', '/os-services/{service_id}', services.delete),

    _v('GET', '/os-hypervisors', hypervisors.index),
    _v('GET', '/os-hypervisors/detail', hypervisors.detail),
    _v('GET', '/os-hypervisors/statistics', hypervisors.statistics,
       None, '2.87'),
    _v('GET', '/os-hypervisors/{hypervisor_id}', hypervisors.show),
    _v('GET', '/os-hypervisors/{pattern}/search', hypervisors.search,
       None, '2.52'),
    _v('GET', '/os-hypervisors/{pattern}/servers', hypervisors.servers,
       None, '2.52'),
    _v('GET', '/os-hypervisors/{hypervisor_id}/uptime', hypervisors.uptime,
       None, '2.87'),
]

# Served only with auth_strategy = noauth2 (see handlers/identity.py
# and handlers/images.py).
NOAUTH2_ROUTES = [
    route('GET', '/identity', identity.versions),
    route('GET', '/identity/v3', identity.v3),
    route('POST', '/identity/v3/auth/tokens', identity.tokens),
    route('GET', '/image', images.versions),
    route('GET', '/image/v2', images.v2),
    route('GET', '/image/v2/images', images.index),
    route('GET', '/image/v2/images/{image_id}', images.show),
]

# Paths answered without a token.
PUBLIC_PATHS = ('/', '/v2', '/openapi.json', PREFIX, '/identity',
                '/identity/v3', '/identity/v3/auth/tokens', '/image',
                '/image/v2')
