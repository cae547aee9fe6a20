"""AWS clients for the operator commands, and what to tell a user when a call cannot be made.

Every failure that means "could not check" (no region, no credentials, access
denied, nothing deployed, no endpoint) becomes `CouldNotCheck` with one line
that says what to do, so the command line can exit 3 without a traceback.
"""

from __future__ import annotations

import boto3
import botocore.exceptions
from botocore.config import Config

SERVICES = ("dynamodb", "application-autoscaling", "cloudwatch", "lambda", "sqs", "scheduler", "logs", "ssm")
# An operator waits on these calls: fail fast on an unreachable endpoint instead
# of botocore's default 60 s read timeout and 4 retries.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=20, retries={"mode": "standard", "max_attempts": 3})

ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException"}
EXPIRED = {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"}


class CouldNotCheck(Exception):
    """The check could not be made; the message is one line saying what to do."""


def make_clients(region: str | None = None) -> dict:
    session = boto3.Session(region_name=region)
    if session.region_name is None:
        raise botocore.exceptions.NoRegionError()
    # Fail before the first table rather than part-way through a report.
    if session.get_credentials() is None:
        raise botocore.exceptions.NoCredentialsError()
    return Clients(session)


class Clients(dict):
    """{service name: client} of one session, each client made when first asked for: a client takes some
    tens of milliseconds to make, and a command uses only some of SERVICES (advise four of them)."""

    def __init__(self, session: boto3.Session) -> None:
        super().__init__()
        self.session = session

    def __missing__(self, name: str):
        if name not in SERVICES:
            raise KeyError(name)
        client = self[name] = self.session.client(name, config=CLIENT_CONFIG)
        return client

    def get(self, name: str, default=None):
        return self[name] if name in SERVICES else default


def explain(error: Exception, region_hint: str = "") -> CouldNotCheck | None:
    """The one-line `CouldNotCheck` for an AWS failure, or None when it is not one (a bug: let it raise)."""
    hint = f"; {region_hint}" if region_hint else ""
    if isinstance(error, botocore.exceptions.NoRegionError):
        return CouldNotCheck(f"no AWS region: pass --region or set AWS_REGION{hint}")
    if isinstance(error, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError):
        return CouldNotCheck(
            "no AWS credentials: set AWS_PROFILE (or run `aws sso login`), or export AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(error, botocore.exceptions.TokenRetrievalError | botocore.exceptions.SSOError):
        return CouldNotCheck(f"AWS credentials could not be refreshed ({error}): run `aws sso login` again")
    if isinstance(error, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectTimeoutError):
        return CouldNotCheck(
            f"cannot reach AWS at {error.kwargs.get('endpoint_url', '?')}: check the network or AWS_ENDPOINT_URL"
        )
    if isinstance(error, botocore.exceptions.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        operation = error.operation_name
        if code in ACCESS_DENIED:
            return CouldNotCheck(
                f"access denied to {operation}: the credentials in use may not read it; doctor and estimate need "
                "read access to DynamoDB, Application Auto Scaling, CloudWatch and Lambda "
                "(docs/operations.md: Is scale-in unblocked?)"
            )
        if code in EXPIRED:
            return CouldNotCheck(f"the AWS credentials in use are invalid or expired ({code}): sign in again")
    return None
