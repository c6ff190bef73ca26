"""SafeShop: the hardened twin of ``vulnshop`` (same API, flaws fixed).

Lines a naive scanner might flag but must not carry an ``ok`` marker comment; see
../EXPECTED.md.
"""
