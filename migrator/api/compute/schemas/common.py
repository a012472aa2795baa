"""Query schemas shared by compute resources.

Nova ignores unknown query parameters on a GET of one resource below
2.102 and answers 400 from 2.102 (``show_query_v2102``); lists that have
no filters follow the same rule.
"""
import copy

no_query = {
    'type': 'object',
    'properties': {},
    'additionalProperties': True,
}

no_query_v2102 = copy.deepcopy(no_query)
no_query_v2102['additionalProperties'] = False
