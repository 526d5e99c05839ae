"""Block bytes on an S3-compatible object store (SeaweedFS, MinIO, Ceph, AWS S3), one object per
block under `<prefix>/<workspace id>/<block id>`, through boto3.

`--blocks s3://bucket[/prefix]` chooses it. The endpoint comes from PARAVENT_S3_ENDPOINT (see
config.py); credentials and region from the configuration (its file or the environment:
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION), else boto3's usual sources. An
object appears whole or not at all, so a crash leaves no partial block; blocks written but never
recorded are listed by `entries` for the collector, like the folder store's.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError

from api.http.errors import ApiError
from api.storage.blocks import WHAT, StoredEntry
from api.storage.faults import StorageFull, StorageUnavailable

_MISSING = {"404", "NoSuchKey", "NotFound"}
_FULL = {"QuotaExceeded", "InsufficientStorage", "XMinioStorageFull", "EntityTooLarge"}
# Per call, botocore's own work runs on the server's CPU: a SHA-256 of the body for the request's
# signature and a CRC32 of it each way cost more than the call's network round trip on loopback
# (measured: 2.3 ms of CPU per 512 KiB put, 1.7 per get). Neither protects anything a block
# needs: every block is named by the digest of its content, which the server checks on upload
# and every reader checks again, so a body altered on the way is refused by its reader. The
# request itself (method, key, headers) stays signed.
_CLIENT = BotoConfig(
    s3={"addressing_style": "path", "payload_signing_enabled": False},
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
    retries={"max_attempts": 3, "mode": "standard"},
    connect_timeout=5,
    read_timeout=30,
    max_pool_connections=32,
)


def parse_s3_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix) of `s3://bucket[/prefix]`."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ValueError(f"not an s3://bucket[/prefix] address: {url}")
    return parts.netloc, parts.path.strip("/")


def _fault(error: Exception) -> ApiError:
    if isinstance(error, ClientError) and error.response["Error"].get("Code") in _FULL:
        return StorageFull(WHAT)
    return StorageUnavailable(WHAT)


class S3BlockStore:
    def __init__(self, url: str, *, endpoint: str | None, access_key_id: str | None = None,
                 secret_access_key: str | None = None, region: str | None = None) -> None:
        """Credentials and region not given come from boto3's usual sources."""
        self.bucket, self.prefix = parse_s3_url(url)
        session = boto3.session.Session(aws_access_key_id=access_key_id,
                                        aws_secret_access_key=secret_access_key,
                                        region_name=region)
        self._client = session.client("s3", endpoint_url=endpoint, config=_CLIENT)

    def _key(self, workspace_id: str, block_id: str) -> str:
        return "/".join(part for part in (self.prefix, workspace_id, block_id) if part)

    def prepare(self) -> None:
        """Create the bucket unless it exists."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            if error.response["Error"].get("Code") not in _MISSING:
                raise
            self._client.create_bucket(Bucket=self.bucket)

    def put(self, workspace_id: str, block_id: str, data: bytes | memoryview) -> None:
        try:
            self._client.put_object(Bucket=self.bucket, Key=self._key(workspace_id, block_id),
                                    Body=bytes(data))
        except (BotoCoreError, ClientError) as error:
            raise _fault(error) from error

    def get(self, workspace_id: str, block_id: str) -> bytes | None:
        try:
            answer = self._client.get_object(Bucket=self.bucket,
                                             Key=self._key(workspace_id, block_id))
            return answer["Body"].read()
        except ClientError as error:
            if error.response["Error"].get("Code") in _MISSING:
                return None
            raise _fault(error) from error
        except BotoCoreError as error:
            raise _fault(error) from error

    def exists(self, workspace_id: str, block_id: str) -> bool:
        try:
            self._client.head_object(Bucket=self.bucket, Key=self._key(workspace_id, block_id))
        except ClientError as error:
            if error.response["Error"].get("Code") in _MISSING:
                return False
            raise _fault(error) from error
        except BotoCoreError as error:
            raise _fault(error) from error
        return True

    def delete(self, workspace_id: str, block_id: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._key(workspace_id, block_id))

    def entries(self) -> Iterator[StoredEntry]:
        pages = self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}/" if self.prefix else "")
        for page in pages:
            for item in page.get("Contents", []):
                relative = item["Key"][len(self.prefix) + 1 if self.prefix else 0:]
                workspace_id, _, name = relative.rpartition("/")
                yield StoredEntry(workspace_id, name, item["LastModified"].timestamp(),
                                  item["Key"])

    def remove(self, entry: StoredEntry) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=entry.location)

    def health(self) -> str:
        """Whether a probe object can be written and removed."""
        key = self._key(".health", uuid.uuid4().hex)
        try:
            self._client.put_object(Bucket=self.bucket, Key=key, Body=b"probe")
            self._client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as error:
            return "full" if _fault(error).status == 507 else "unavailable"
        return "ok"
