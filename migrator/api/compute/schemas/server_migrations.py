"""Request schema of POST /servers/{id}/migrations/{mid}/action."""

force_complete = {
    'type': 'object',
    'properties': {
        'force_complete': {'type': 'null'},
    },
    'required': ['force_complete'],
    'additionalProperties': False,
}
