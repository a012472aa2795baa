"""The RPC contract: one client class per service.

These classes are the single source of every topic, method name, argument
and version a peer service needs; doc/source/rpc-api.rst is generated from
them (``python -m migrator.rpcapi.contract``).
"""
