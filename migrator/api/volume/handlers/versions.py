"""GET / (every major version: 300, as Cinder answers) and GET /v3."""
from migrator.api import validation
from migrator.api.volume.schemas import versions as schemas
from migrator.api.volume.views import versions as views
from migrator.api import wsgi


@validation.responses(schemas.versions_response, 300)
def index(req):
    return wsgi.json_response({'versions': [views.v3(req)]}, status=300)


@validation.responses(schemas.versions_response)
def show(req):
    return wsgi.json_response({'versions': [views.v3(req)]})
