"""``heiki diff``: what a change to an environment breaks or opens.

Each side is checked as ``heiki check`` would; :mod:`snapshot` keeps what can be compared (per
capability and vantage, per closure check and path, per lifecycle event, per DNS cell, per
finding, per resource), :mod:`compare` pairs the two sides, :mod:`render` and :mod:`document`
write the result.
"""
