"""Field types beyond oslo.versionedobjects' own."""
from oslo_versionedobjects import fields

# Re-exported so object modules import one fields module.
BooleanField = fields.BooleanField
DateTimeField = fields.DateTimeField
DictOfNullableStringsField = fields.DictOfNullableStringsField
DictOfStringsField = fields.DictOfStringsField
FloatField = fields.FloatField
IntegerField = fields.IntegerField
ListOfStringsField = fields.ListOfStringsField
ObjectField = fields.ObjectField
ListOfObjectsField = fields.ListOfObjectsField
StringField = fields.StringField
UUIDField = fields.UUIDField
EnumField = fields.EnumField


class Json(fields.FieldType):
    """Any JSON-compatible value (used for free-form progress detail)."""

    def coerce(self, obj, attr, value):
        return value

    def to_primitive(self, obj, attr, value):
        return value

    def from_primitive(self, obj, attr, value):
        return value

    def stringify(self, value):
        return repr(value)


class JsonField(fields.AutoTypedField):
    AUTO_TYPE = Json()


class MigrationTypeField(fields.AutoTypedField):
    AUTO_TYPE = fields.Enum(
        valid_values=['migration', 'resize', 'live-migration', 'evacuation'])
