# Copyright 2026 Account Dunning Developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
from lxml import etree

from odoo import models, tools


class IrQweb(models.AbstractModel):
    """Templates rendered from their source are compiled once per source.

    ``mail.render.mixin`` parses a template's source anew at each rendering,
    and ``ir.qweb`` caches compiled templates by the parsed element: each
    rendering compiles. The mailer renders a batch's bodies in one rendering
    (``account.dunning.mailer._render_body_batch``), so the run compiled a
    template once per batch and step, most of the cost of a batch on a book
    of many customers with one invoice due each. With the context key
    ``dunning_compiled_source`` set to the source being rendered, the
    compiled template is kept, as ``ir.qweb`` keeps views, per source and
    the context keys it compiles with, in the templates' cache."""

    _inherit = "ir.qweb"

    def _compile(self, template):
        source = self.env.context.get("dunning_compiled_source")
        if source and isinstance(template, etree._Element):
            return self._compile_dunning_source(source, template)
        return super()._compile(template)

    @tools.conditional(
        "xml" not in tools.config["dev_mode"],
        tools.ormcache(
            "source",
            "tuple(self.env.context.get(key) for key in self._get_template_cache_keys())",
            "self.env.context.get('raise_on_forbidden_code_for_model')",
            cache="templates",
        ),
    )
    def _compile_dunning_source(self, source, template):
        """``template``, the element parsed from ``source``, compiled."""
        return super()._compile(template)
