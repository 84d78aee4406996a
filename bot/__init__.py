"""Hybrid work bot for the Flemish government: service, wiring, domain and use cases."""
