"""Where a ciphertext or signature belongs, bound into it as associated data.

Every ciphertext and signature in Paravent names its place: what kind of object it is and which
organization, workspace, object, version and block it belongs to. Decrypting or verifying in any
other place fails, so a server cannot swap, replay or move ciphertexts undetected.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property

from pycrypto_wasm import canonical


@dataclass(frozen=True, kw_only=True)
class Context:
    """The place an encrypted or signed object belongs to. `purpose` names the kind of object."""

    purpose: str
    organization: str | None = None
    workspace: str | None = None
    object_id: str | None = None
    version: int | None = None
    block_index: int | None = None

    def __post_init__(self) -> None:
        if not self.purpose:
            raise ValueError("a context needs a purpose")

    def fields(self) -> dict[str, str | int]:
        """The context's set fields, by name."""
        return {name: value for name, value in asdict(self).items() if value is not None}

    def to_bytes(self) -> bytes:
        """The canonical bytes bound into ciphertexts and signatures."""
        return self._encoded

    @cached_property
    def _encoded(self) -> bytes:
        return canonical.encode(self.fields())

    def describe(self) -> str:
        """A human-readable name of the object, for error messages."""
        parts = [self.purpose]
        labels = {"object_id": "", "version": "version ", "block_index": "block "}
        for name, label in labels.items():
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{label}{value}")
        if self.workspace is not None:
            parts.append(f"in workspace {self.workspace}")
        return " ".join(parts)

    @classmethod
    def from_fields(cls, fields: dict[str, str | int]) -> Context:
        """A context from its fields, as `fields()` returns them."""
        return cls(**fields)  # type: ignore[arg-type]
