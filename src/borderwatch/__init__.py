"""borderwatch: border screening and border cooperation."""

from borderwatch._compiled import check_fresh

__version__ = "0.1.0"

check_fresh()  # a compiled name engine older than its source must not run in its place
