"""`SecretSource` on AWS Secrets Manager (boto3)."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# arn:partition:secretsmanager:region:account:secret:name[:json-key[:version-stage[:version-id]]]
_ARN_FIELDS = 7


class SecretsManagerSource:
    def __init__(self, client: Any | None = None, region: str | None = None) -> None:
        self._client = client
        self._region = region

    def _client_for(self, region: str) -> Any:
        if self._client is None:
            config = Config(
                connect_timeout=3, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}
            )
            self._client = boto3.client(
                "secretsmanager", region_name=self._region or region, config=config
            )
        return self._client

    def secret_value(self, reference: str) -> str:
        parts = reference.split(":")
        if len(parts) < _ARN_FIELDS or parts[2] != "secretsmanager":
            raise LookupError(f"{reference!r} is not a Secrets Manager ARN")
        secret_arn = ":".join(parts[:_ARN_FIELDS])
        json_key = parts[_ARN_FIELDS] if len(parts) > _ARN_FIELDS else ""
        stage = parts[_ARN_FIELDS + 1] if len(parts) > _ARN_FIELDS + 1 else ""
        version = parts[_ARN_FIELDS + 2] if len(parts) > _ARN_FIELDS + 2 else ""
        request: dict[str, str] = {"SecretId": secret_arn}
        if stage:
            request["VersionStage"] = stage
        if version:
            request["VersionId"] = version
        try:
            response = self._client_for(parts[3]).get_secret_value(**request)
        except (ClientError, BotoCoreError) as error:
            # The error names the secret and the AWS error code, never a value.
            raise LookupError(f"cannot read {secret_arn}: {_error_code(error)}") from None
        value = response.get("SecretString")
        if value is None:
            raise LookupError(f"{secret_arn} holds binary data, not a string")
        if not json_key:
            return str(value)
        try:
            document = json.loads(value)
            return str(document[json_key])
        except (ValueError, KeyError, TypeError):
            raise LookupError(f"{secret_arn} has no JSON key {json_key!r}") from None


def _error_code(error: Exception) -> str:
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", "error"))
    return type(error).__name__
