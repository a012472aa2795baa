"""GET / (every major version: 300, as Cinder answers) and GET /v3."""
from migrator.api.volume.views import versions as views
from migrator.api import wsgi


def index(req):
    return wsgi.json_response({'versions': [views.v3(req)]}, status=300)


def show(req):
    return wsgi.json_response({'versions': [views.v3(req)]})
