"""Bank statements: layouts as data, the table reader, cell values and the cash-flow analytics.

:mod:`extractors.doctypes.bank_statement` puts these together.
"""
