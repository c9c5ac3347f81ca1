"""Streaming clients for completion providers, one file per wire format, behind `Backend`."""
