"""A minimal image service for the openstack CLI, served only with
``[api] auth_strategy = noauth2``.

``openstack server create --image X`` looks the image up in the image
service before it posts the server. migrator has no image service and
takes any ``imageRef``, so in noauth2 mode the compute API answers the
lookups the CLI and openstacksdk make:

* ``GET /image`` and ``GET /image/v2``: a version document naming v2;
* ``GET /image/v2/images/{id}``: an active image whose id and name are
  ``{id}`` (any string);
* ``GET /image/v2/images?name=X``: that image for ``X``, an empty list
  without a name.

Nothing is stored: the "image" is the reference the server will carry.
Point the CLI at it with ``image_endpoint_override`` (see
doc/source/api/noauth2.rst).
"""
from migrator.api import wsgi

UPDATED = '2024-01-01T00:00:00Z'
CREATED = '2024-01-01T00:00:00Z'


def _v2(req):
    return {'id': 'v2.16', 'status': 'CURRENT', 'updated': UPDATED,
            'links': [{'rel': 'self',
                       'href': req.application_url_for('image', 'v2') +
                       '/'}]}


def versions(req):
    return wsgi.json_response({'versions': [_v2(req)]}, status=300)


def v2(req):
    return wsgi.json_response({'versions': [_v2(req)]})


def _image(req, image_id):
    return {'id': image_id, 'name': image_id, 'status': 'active',
            'visibility': 'public', 'protected': False, 'tags': [],
            'container_format': 'bare', 'disk_format': 'raw',
            'min_disk': 0, 'min_ram': 0, 'size': None,
            'created_at': CREATED, 'updated_at': CREATED,
            'self': '/v2/images/%s' % image_id,
            'file': '/v2/images/%s/file' % image_id,
            'schema': '/v2/schemas/image'}


def show(req):
    return wsgi.json_response(_image(req, req.url_vars['image_id']))


def index(req):
    name = req.GET.get('name')
    images = [_image(req, name)] if name else []
    return wsgi.json_response({'images': images,
                               'schema': '/v2/schemas/images',
                               'first': '/v2/images'})
