"""Opens the block store the configuration names (`--blocks`): the data folder's `blocks/` or an
S3-compatible bucket. The only module that knows both stores, so neither imports the other.
"""

from __future__ import annotations

from api.config import Config
from api.storage.blocks import BlockStore
from api.storage.blocks.folder import FolderBlockStore
from api.storage.blocks.s3 import S3BlockStore


def open_block_store(config: Config) -> BlockStore:
    """The block store the configuration names: the data folder's `blocks/` by default, or an
    S3-compatible bucket (`s3://bucket[/prefix]`)."""
    if config.blocks is None:
        return FolderBlockStore(config.blocks_dir, block_bytes=config.max_block_bytes)
    return S3BlockStore(config.blocks, endpoint=config.s3_endpoint,
                        access_key_id=config.s3_access_key_id,
                        secret_access_key=config.s3_secret_access_key, region=config.s3_region)
