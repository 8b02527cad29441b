"""The built-in demo: a fixture site on 127.0.0.1 and a catalog that exercises every axis."""
