"""pupetui: a keyboard-driven terminal front end for the CRM of Pupesoft."""

__version__ = "0.1.0"
