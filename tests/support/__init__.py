"""Test helpers shared by everyone's tests (a real HTTP server on 127.0.0.1)."""
