"""Offline verification of a workspace's exported log (`python -m pycrypto_wasm.audit`)."""
