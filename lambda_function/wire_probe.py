"""The cold-start check of the lean path (wire.py) on the botocore this container runs.

The python3.13 runtime brings its own botocore and AWS upgrades it under a
deployed function, so the lean path is tried once per client before any table
sees it: every internal it reads (wire.INTERNALS) must be there, and a canned
exchange, answered in the process and never sent, must come out as the stock
client would end it:

1. a throttled answer is given a delay by the client's retry handler, and the
   next answer (2xx) is read with its consumed capacity;
2. an error answer is parsed by the client's own parser into the client's own
   exception class, with its code and message.

No sleep (the delay is only checked), no credentials fetched (the probe signs
with its own), no request hook called: observers and local mocks see nothing.
"""

from __future__ import annotations

import json

from botocore.credentials import ReadOnlyCredentials

from . import wire
from .wire import LeanDynamoDB, LeanPathFailed

PROBE_TABLE = "ddb-warmer-probe"  # never sent: only named in the canned exchange
PROBE_PARAMS = {"TableName": PROBE_TABLE, "Key": {"pk": {"S": "probe"}}, "ReturnConsumedCapacity": "TOTAL"}
THROTTLED = (400, "com.amazonaws.dynamodb.v20120810#ThrottlingException", "slow down")
MISSING = (400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "Requested resource not found")
READ = (200, None, None)


class ProbeFailed(Exception):
    """The lean path does not behave as the stock client on this botocore; the message says where."""


class _Answer:
    """An HTTP answer as botocore's AWSResponse presents it to the lean path."""

    def __init__(self, status: int, error_type: str | None, message: str | None):
        self.status_code = status
        self.headers = {"x-amzn-RequestId": "probe", "Content-Type": "application/x-amz-json-1.0"}
        body = (
            {"__type": error_type, "message": message} if error_type else {"ConsumedCapacity": {"CapacityUnits": 0.5}}
        )
        self.content = json.dumps(body).encode()


class _CannedDelivery:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.delivered = 0

    def __call__(self, operation, request) -> _Answer:
        self.delivered += 1
        return _Answer(*self.answers.pop(0))


def probe(client) -> str | None:
    """None when the lean path works on this client; otherwise what broke, in one line."""
    try:
        _check(client)
    except LeanPathFailed as failure:
        return f"the lean path failed: {failure}"
    except ProbeFailed as failure:
        return str(failure)
    except Exception as error:  # a missing internal at construction, or anything unforeseen
        return f"{type(error).__name__}: {error}"
    return None


def _check(client) -> None:
    # Read through the module: the tests rename an internal by changing its name there.
    signer = getattr(client, wire.REQUEST_SIGNER)
    credentials = getattr(signer, wire.CREDENTIALS)
    if credentials is not None and not callable(getattr(credentials, "get_frozen_credentials", None)):
        raise ProbeFailed("the client's credentials have no get_frozen_credentials()")
    sender = LeanDynamoDB(client)
    # The probe's own seams: no credential lookup, no sleep, no network (instance attributes on purpose).
    sender.frozen_credentials = lambda: ReadOnlyCredentials("probe", "probe", None)  # type: ignore[method-assign]
    delays: list[float] = []
    sender.pause = delays.append  # type: ignore[method-assign,assignment]

    sender.deliver = delivery = _CannedDelivery(THROTTLED, READ)  # type: ignore[method-assign]
    try:
        read = sender.exchange("GetItem", dict(PROBE_PARAMS), {})
    except client.exceptions.ClientError as error:
        raise ProbeFailed(f"the client's retry handler did not retry a throttled answer: {error}") from error
    if delivery.delivered != 2 or len(delays) != 1 or not isinstance(delays[0], (int, float)):
        raise ProbeFailed("the client's retry handler did not retry a throttled answer")
    if read.get("ConsumedCapacity", {}).get("CapacityUnits") != 0.5:
        raise ProbeFailed(f"a 2xx answer was read as {read!r}")

    sender.deliver = _CannedDelivery(MISSING)  # type: ignore[method-assign]
    expected = client.exceptions.ResourceNotFoundException
    try:
        sender.exchange("GetItem", dict(PROBE_PARAMS), {})
    except expected as error:
        details = error.response.get("Error", {})
        if (details.get("Code"), details.get("Message")) != ("ResourceNotFoundException", MISSING[2]):
            raise ProbeFailed(f"an error answer was parsed as {details!r}") from error
    except client.exceptions.ClientError as error:
        raise ProbeFailed(f"an error answer was raised as {type(error).__name__}, not {expected.__name__}") from error
    else:
        raise ProbeFailed("an error answer was not raised")
