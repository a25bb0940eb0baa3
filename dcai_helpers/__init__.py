"""Helpers shared by the data-centric AI labs: offline data sets, plotting and the ``dcai`` command."""

__version__ = "0.1.0"
