"""Bounded parameter types shared by the compute and block storage
schemas.

Every integer a request may store is bounded by what its database column
holds (``MAX_INT`` for SQL INTEGER, ``MAX_FLOAT`` for a single-precision
FLOAT), as Nova's schemas are: a value beyond is a 400 naming the field,
never a database error. Integers may come as JSON numbers or as strings
of decimal digits (as Nova accepts them); ``migrator.api.validation``
applies ``minimum`` and ``maximum`` to such strings too.
"""
# SQL INTEGER (MariaDB, PostgreSQL and SQLite all hold at least this).
MAX_INT = 2 ** 31 - 1
# MariaDB's single-precision FLOAT.
MAX_FLOAT = 3.40282e+38
# A number stored as text in a String(255) column (flavor extra spec
# values): at most 254 digits and a sign.
MAX_SPEC_NUMBER = 10 ** 254 - 1


def integer(minimum=0, maximum=MAX_INT):
    """An integer, or a string of decimal digits, in [minimum, maximum]."""
    return {'type': ['integer', 'string'], 'pattern': '^[0-9]+$',
            'minimum': minimum, 'maximum': maximum}


positive_integer = integer(minimum=1)
non_negative_integer = integer(minimum=0)

# A float column: a JSON number or a decimal string, above 0.
positive_float = {'type': ['number', 'string'],
                  'pattern': r'^[0-9]+(\.[0-9]+)?$',
                  'minimum': 0, 'exclusiveMinimum': True,
                  'maximum': MAX_FLOAT}

# A non-negative integer in a query string (always a string there);
# ``maximum`` applies as for bodies.
non_negative_integer_query = {'type': 'string', 'pattern': '^[0-9]+$',
                              'maxLength': 30}
