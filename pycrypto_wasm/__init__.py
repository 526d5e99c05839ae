"""Paravent's client cryptography and protocol core.

Plain Python with no browser assumptions: the same package runs under CPython (tests, command-line
tools) and in the browser's crypto worker under Pyodide. Only `pycrypto_wasm.backend` knows which
runtime it is on; every other module is built on the backend's small libsodium API.
"""

__version__ = "0.1.0"
