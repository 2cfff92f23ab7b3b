"""Nexthop: a tracker for growing a professional network through informational interviews."""
