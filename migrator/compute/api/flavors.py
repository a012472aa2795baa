"""Flavors (API database)."""
from oslo_utils import uuidutils

from migrator.objects import flavor as flavor_obj


class FlavorsMixin:
    # -- flavors ----------------------------------------------------------
    def get_flavor(self, context, flavorid):
        return flavor_obj.Flavor.get_by_flavor_id(context, flavorid)

    def list_flavors(self, context, **kwargs):
        return flavor_obj.FlavorList.get_all(context, **kwargs)

    def create_flavor(self, context, name, memory_mb, vcpus, root_gb,
                      ephemeral_gb=0, swap=0, flavorid=None,
                      rxtx_factor=1.0, is_public=True, description=None):
        flavor = flavor_obj.Flavor(
            context, name=name, memory_mb=memory_mb, vcpus=vcpus,
            root_gb=root_gb, ephemeral_gb=ephemeral_gb, swap=swap,
            flavorid=flavorid or uuidutils.generate_uuid(),
            rxtx_factor=rxtx_factor, is_public=is_public,
            description=description, disabled=False, extra_specs={})
        flavor.create()
        return flavor
