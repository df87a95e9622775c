"""Kibo OMS: returns (seed 004), with a static token or OAuth client credentials."""
