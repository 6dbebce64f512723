"""社区通 Shequtong: a smart-community governance platform."""

__version__ = "0.1.0"
