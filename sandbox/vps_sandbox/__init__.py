"""A local, stateful fake of the VPSCrypto and Otwa Cloud APIs for development and tests."""

__version__ = "1.0.0"
