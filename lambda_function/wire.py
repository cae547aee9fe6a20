"""The warm requests, sent lean: what botocore does for them, cut to what these four requests need.

A warm request is small and the tick sends one per dimension, so the CPU of
the request path bounds a tick in a 128 MB Lambda (128/1,769 of a vCPU). The
stock client spends most of it on work these requests do not need: endpoint
rules evaluated on every call (its cache holds 100 tables), a generic
serialiser walking the model, SigV4 over email-style header objects, a
generic parser walking the output shape. `LeanDynamoDB` keeps the client and
everything that decides what is sent and what happens to the answer:

- the endpoint is the client's own, resolved by its rules once per table;
- the body is the request the code built, in DynamoDB's wire format already
  (the handler builds every request itself, as with parameter_validation off);
- SigV4 is computed here (checked against botocore's signer by the tests), with
  the client's credentials, refreshed as botocore refreshes them;
- the request goes through the client's `before-send` hooks and HTTP session
  (same timeouts, connection pool, proxies; the local mocks answer there too);
- a 2xx answer is read as JSON; any other answer is parsed by the client's own
  parser and raised as the client's own ClientError subclass, so errors are
  classified exactly as before;
- retries are decided by the client's own retry handler (standard mode, same
  quota), through the same `needs-retry` and `after-call` events.

Observers keep seeing each request: `provide-client-params` is emitted with the
request's parameters, as the stock client does. Only the four warm operations go
this way; DescribeTable, ListTables and the auto scaling calls use the client.

The function runs on the runtime's botocore, which AWS upgrades under it, so every
private name this path reads is listed once below (INTERNALS): wire_probe.py checks
them at cold start and request_path.py falls back to the client's own methods when
one is gone or misbehaves. A failure inside this path (anything but the request's own
error) is raised as LeanPathFailed, saying how far the request got.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import threading
import time
import weakref
from dataclasses import dataclass
from time import sleep  # a name of its own, so tests can count the backoffs
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

if TYPE_CHECKING:  # for annotations only: nothing more of botocore is imported at run time
    from botocore.awsrequest import AWSResponse

OPERATIONS = {"get_item": "GetItem", "delete_item": "DeleteItem", "query": "Query", "update_item": "UpdateItem"}
TARGET_PREFIX = "DynamoDB_20120810."  # the JSON 1.0 protocol's X-Amz-Target, as botocore's serialiser writes it
CONTENT_TYPE = "application/x-amz-json-1.0"
SIGNED_HEADERS = "content-type;host;x-amz-date;x-amz-target"
SIGNED_HEADERS_WITH_TOKEN = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"

# The botocore internals this path reads, by the name botocore gives them today. Read
# only through these names: the probe checks each, and the tests rename each one to
# show a botocore without it falls back to the stock client.
ENDPOINT = "_endpoint"  # client -> its Endpoint
HTTP_SESSION = "http_session"  # Endpoint -> the URLLib3Session that sends
PARSER_FACTORY = "_response_parser_factory"  # Endpoint -> the factory of the client's parsers
PROTOCOL = "resolved_protocol"  # ServiceModel -> the protocol its parser is made for
REQUEST_SIGNER = "_request_signer"  # client -> RequestSigner
CREDENTIALS = "_credentials"  # RequestSigner -> the client's (refreshable) credentials
SIGNING_NAME = "_signing_name"  # RequestSigner -> "dynamodb"
RESOLVE_ENDPOINT = "_resolve_endpoint_ruleset"  # client -> its endpoint rules, asked with a model and params
RETRY_EVENT = "needs-retry"  # the event the client's retry handler answers with a delay, or None
INTERNALS = (
    ENDPOINT,
    HTTP_SESSION,
    PARSER_FACTORY,
    PROTOCOL,
    REQUEST_SIGNER,
    CREDENTIALS,
    SIGNING_NAME,
    RESOLVE_ENDPOINT,
    RETRY_EVENT,
)


@dataclass
class Progress:
    """How far one lean request got: whether it was put on the wire, and its last answer."""

    sent: bool = False
    answer: AWSResponse | None = None  # the last HTTP response
    parsed: dict | None = None  # a 2xx answer, read


class LeanPathFailed(Exception):
    """The lean path broke on something that is not the request's own error (a botocore internal
    gone or changed); `progress` says whether the request had been sent and what answered it."""

    def __init__(self, cause: Exception, progress: Progress):
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause
        self.progress = progress


def _blob(value):
    """Binary attribute values go on the wire base64-encoded, as botocore's JSON serialiser sends them."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not a DynamoDB wire value")


def wire_body(params: dict) -> bytes:
    return json.dumps(params, separators=(",", ":"), default=_blob).encode()


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


@functools.lru_cache(maxsize=64)
def url_parts(url: str) -> tuple[str, str]:
    """(Host header, path) as botocore signs them: the host's port only when not the scheme's default."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    hostname = parts.hostname or ""
    host = hostname if parts.port in (None, default) else f"{hostname}:{parts.port}"
    return host, parts.path or "/"


def sigv4_headers(
    *,
    url: str,
    region: str,
    service: str,
    target: str,
    body: bytes,
    access_key: str,
    secret_key: str,
    token: str | None,
    stamp: str,
    signing_keys: dict | None = None,
) -> dict[str, str]:
    """The headers of a SigV4-signed JSON-protocol POST to `url` at `stamp` (UTC, YYYYMMDDTHHMMSSZ):
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html"""
    day = stamp[:8]
    host, path = url_parts(url)
    headers = {"Content-Type": CONTENT_TYPE, "Host": host, "X-Amz-Date": stamp, "X-Amz-Target": target}
    canonical_headers = f"content-type:{CONTENT_TYPE}\nhost:{host}\nx-amz-date:{stamp}\n"
    if token:
        headers["X-Amz-Security-Token"] = token
        canonical_headers += f"x-amz-security-token:{token}\n"
        signed = SIGNED_HEADERS_WITH_TOKEN
    else:
        signed = SIGNED_HEADERS
    canonical_headers += f"x-amz-target:{target}\n"
    canonical = f"POST\n{path}\n\n{canonical_headers}\n{signed}\n{hashlib.sha256(body).hexdigest()}"
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    cache_key = (secret_key, scope)
    key = signing_keys.get(cache_key) if signing_keys is not None else None
    if key is None:
        key = _hmac(_hmac(_hmac(_hmac(("AWS4" + secret_key).encode(), day), region), service), "aws4_request")
        if signing_keys is not None:
            signing_keys.clear()  # one day's key (per secret) is all a tick needs
            signing_keys[cache_key] = key
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={signed}, Signature={signature}"
    )
    return headers


class WarmOperations:
    """The four warm operations as a DynamoDB client's methods, each handed to `send`."""

    def send(self, operation: str, params: dict) -> dict:
        raise NotImplementedError

    def get_item(self, **params) -> dict:
        return self.send("GetItem", params)

    def delete_item(self, **params) -> dict:
        return self.send("DeleteItem", params)

    def query(self, **params) -> dict:
        return self.send("Query", params)

    def update_item(self, **params) -> dict:
        return self.send("UpdateItem", params)


class LeanDynamoDB(WarmOperations):
    """get_item, delete_item, query and update_item of a botocore DynamoDB client, sent lean.

    Same arguments, same return value (the response's JSON; the warm requests read
    only ConsumedCapacity), same exceptions as the client's methods.
    """

    def __init__(self, client) -> None:
        self.client = client
        meta = client.meta
        self._events = meta.events
        self._service_id = meta.service_model.service_id.hyphenize()
        self._endpoint = getattr(client, ENDPOINT)
        self._http = getattr(self._endpoint, HTTP_SESSION)
        self._signer = getattr(client, REQUEST_SIGNER)
        self._signing_name = getattr(self._signer, SIGNING_NAME)
        self._models = {name: meta.service_model.operation_model(name) for name in OPERATIONS.values()}
        self._endpoints: dict[str, tuple[str, str]] = {}  # table -> (url, signing region)
        self._signing_keys: dict = {}
        self._stamp = (0, "")  # (second, its SigV4 timestamp): formatted once a second
        self._lock = threading.Lock()

    def _endpoint_for(self, model, params: dict) -> tuple[str, str]:
        """The client's endpoint rules, asked once per table (they depend on nothing a tick changes)."""
        table = params["TableName"]
        found = self._endpoints.get(table)
        if found is None:
            url, _headers, properties = getattr(self.client, RESOLVE_ENDPOINT)(model, params, {})
            schemes = (properties or {}).get("authSchemes") or [{}]
            region = schemes[0].get("signingRegion") or self.client.meta.region_name
            found = (url if url.endswith("/") else url + "/", region)
            with self._lock:
                self._endpoints[table] = found
        return found

    def send(self, operation: str, params: dict) -> dict:
        model = self._models[operation]
        context: dict = {}
        replaced = self._events.emit_until_response(
            f"provide-client-params.{self._service_id}.{operation}", params=params, model=model, context=context
        )[1]
        return self.exchange(operation, replaced or params, context)

    def exchange(self, operation: str, params: dict, context: dict) -> dict:
        """The request on the wire, retried as the client retries it; its answer read, or raised as the
        client's own exception. Anything else that breaks is raised as LeanPathFailed."""
        progress = Progress()
        try:
            return self._exchange(operation, params, context, progress)
        except (ClientError, BotoCoreError):
            raise  # the request's own outcome, as the stock client would raise it
        except Exception as error:
            raise LeanPathFailed(error, progress) from error

    def _exchange(self, operation: str, params: dict, context: dict, progress: Progress) -> dict:
        model = self._models[operation]
        url, region = self._endpoint_for(model, params)
        body = wire_body(params)
        request_dict = {"context": context}  # what the retry handlers keep their attempt state in
        attempts = 1
        while True:
            request = self._signed(url, region, operation, body)
            response, caught = self._get_response(operation, model, request, progress)
            if caught is None and response[0].status_code < 300:
                break
            delay = self._retry_delay(operation, model, response, caught, attempts, request_dict)
            if delay is None:
                break
            self.pause(delay)
            attempts += 1
        if caught is not None:
            raise caught
        http, parsed = response
        self._events.emit(
            f"after-call.{self._service_id}.{operation}",
            http_response=http,
            parsed=parsed,
            model=model,
            context=context,
        )
        if http.status_code >= 300:
            code = parsed.get("Error", {}).get("Code")
            raise self.client.exceptions.from_code(code)(parsed, operation)
        return parsed

    @staticmethod
    def pause(seconds: float) -> None:
        sleep(seconds)

    def frozen_credentials(self):
        credentials = getattr(self._signer, CREDENTIALS)
        if credentials is None:
            raise NoCredentialsError()  # what the stock client raises without credentials
        return credentials.get_frozen_credentials()

    def _signed(self, url: str, region: str, operation: str, body: bytes) -> AWSPreparedRequest:
        credentials = self.frozen_credentials()
        headers = sigv4_headers(
            url=url,
            region=region,
            service=self._signing_name,
            target=TARGET_PREFIX + operation,
            body=body,
            access_key=credentials.access_key,
            secret_key=credentials.secret_key,
            token=credentials.token,
            stamp=self._timestamp(),
            signing_keys=self._signing_keys,
        )
        return AWSPreparedRequest("POST", url, headers, body, stream_output=False)

    def _timestamp(self) -> str:
        second = int(time.time())
        if self._stamp[0] != second:
            self._stamp = (second, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(second)))
        return self._stamp[1]

    def deliver(self, operation: str, request):
        """The HTTP answer to a signed request: a `before-send` hook's (the local mocks answer there), or
        the client's HTTP session's."""
        answered = self._events.emit(f"before-send.{self._service_id}.{operation}", request=request)
        http = next((r for _, r in answered if r is not None), None)
        return self._http.send(request) if http is None else http

    def _get_response(self, operation: str, model, request, progress: Progress):
        """((http response, parsed), None), or (None, the exception the send raised)."""
        progress.sent = True
        try:
            http = self.deliver(operation, request)
        except Exception as error:  # the stock client hands every send error to the retry handler too
            return None, error
        progress.answer = http
        if http.status_code < 300:
            content = http.content
            parsed = json.loads(content) if content else {}
            parsed["ResponseMetadata"] = {"HTTPStatusCode": http.status_code}
            progress.parsed = parsed
            return (http, parsed), None
        response_dict = {"status_code": http.status_code, "headers": http.headers, "body": http.content}
        factory = getattr(self._endpoint, PARSER_FACTORY)
        parser = factory.create_parser(getattr(model.service_model, PROTOCOL))
        return (http, parser.parse(response_dict, model.output_shape)), None

    def _retry_delay(self, operation, model, response, caught, attempts, request_dict) -> float | None:
        answered = self._events.emit(
            f"{RETRY_EVENT}.{self._service_id}.{operation}",
            response=response,
            endpoint=self._endpoint,
            operation=model,
            attempts=attempts,
            caught_exception=caught,
            request_dict=request_dict,
        )
        return next((r for _, r in answered if r is not None), None)


class PerClient:
    """One object per client, made on first use and kept as long as the client lives (its caches with it)."""

    def __init__(self, make) -> None:
        self._make = make
        self._made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def __call__(self, client):
        with self._lock:
            made = self._made.get(client)
            if made is None:
                made = self._made[client] = self._make(client)
        return made


# The lean sender of a DynamoDB client (its endpoint and key caches live as long as the client).
lean = PerClient(LeanDynamoDB)
