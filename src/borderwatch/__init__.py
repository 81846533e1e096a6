"""borderwatch: border screening and border cooperation."""

__version__ = "0.1.0"
