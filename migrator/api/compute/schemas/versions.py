"""Response schemas of the version documents (GET /, /v2, /v2.1)."""
from migrator.api.schemas import response_types as rt

index_response = [(rt.obj({'versions': rt.array(
    rt.version_document(media_types=False))}), None, None)]
show_response = [(rt.obj({'version': rt.version_document()}), None, None)]
