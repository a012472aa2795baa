"""GET / (every major version), GET /v2 (the legacy v2.0 document) and
GET /v2.1 (this one); none needs a token."""
from migrator.api.compute.schemas import versions as schemas
from migrator.api.compute.views import versions as views
from migrator.api import validation
from migrator.api import wsgi


@validation.responses(schemas.index_response)
def index(req):
    return wsgi.json_response({'versions': [
        views.summary(views.v20(req)), views.summary(views.v21(req))]})


@validation.responses(schemas.show_response)
def show_v20(req):
    return wsgi.json_response({'version': views.v20(req)})


@validation.responses(schemas.show_response)
def show(req):
    return wsgi.json_response({'version': views.v21(req)})
