"""The block storage API's route table (port 8776, '/v3').

Paths carry the project id (``/v3/{project_id}/volumes``) or, as Cinder
serves them (signalled by microversion 3.67), none (``/v3/volumes``).
"""
from migrator.api import openapi
from migrator.api.volume.handlers import services
from migrator.api.volume.handlers import versions
from migrator.api.volume.handlers import volume_actions
from migrator.api.volume.handlers import volumes
from migrator.api.wsgi import route

PREFIX = '/v3'

_RESOURCES = [
    ('GET', '/volumes', volumes.index),
    ('POST', '/volumes', volumes.create),
    ('GET', '/volumes/detail', volumes.detail),
    ('GET', '/volumes/{volume_id}', volumes.show),
    ('DELETE', '/volumes/{volume_id}', volumes.delete),
    # The body's one key names the action (volume_actions.ACTIONS).
    ('POST', '/volumes/{volume_id}/action', volume_actions.dispatch),
    ('GET', '/os-services', services.index),
]

ROUTES = [
    route('GET', '/', versions.index),
    route('GET', '/openapi.json', openapi.handler('volume')),
    route('GET', PREFIX, versions.show),
]
ROUTES += [route(method, PREFIX + path, handler)
           for method, path, handler in _RESOURCES]
ROUTES += [route(method, PREFIX + '/{project_id}' + path, handler)
           for method, path, handler in _RESOURCES]

# Paths answered without a token.
PUBLIC_PATHS = ('/', '/openapi.json', PREFIX)
