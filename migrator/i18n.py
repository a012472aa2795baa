"""Translation hook (oslo.i18n) for user-facing messages."""
import oslo_i18n

_translators = oslo_i18n.TranslatorFactory(domain='migrator')
_ = _translators.primary
