"""VulnShop: a small shop API (users, products, orders) with planted security flaws.

Every flaw carries an ``expect`` marker comment on the line a finding should point
at; see ../EXPECTED.md. The hardened twin is ``safeshop``.
"""
