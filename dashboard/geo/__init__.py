"""Geodesy and geography: geodesic rings, antimeridian and poles, envelopes, base map, reach, launch points."""
