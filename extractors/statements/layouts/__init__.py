"""Known statement layouts, one module each: declaring a :class:`~extractors.statements.layout.Layout`
with :func:`~extractors.statements.layout.declare` registers it. Adding a bank is adding a module here."""
