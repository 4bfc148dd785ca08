"""Proxies that sit between a Socket.IO client and server and inject faults."""
