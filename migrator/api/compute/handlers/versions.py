"""GET / (every major version) and GET /v2.1 (this one)."""
from migrator.api.compute.views import versions as views
from migrator.api import wsgi


def index(req):
    doc = views.v21(req)
    doc.pop('media-types')
    return wsgi.json_response({'versions': [doc]})


def show(req):
    return wsgi.json_response({'version': views.v21(req)})
