"""vmbot: a French assistant to choose between virtual machines and containers."""

__version__ = "0.1.0"
