"""moto server, with the two behaviours of AWS the warmer's local runs need added.

    python -m ddb_warmer.local.emulator_server -H 127.0.0.1 -p PORT

Real Lambda answers GetFunction with `Code.Location`, a presigned S3 URL of
the deployed package. moto keeps the package of a function created from a zip
but its Location is a made-up AWS URL, so the deployed code cannot be fetched
back. Here
GetFunction stores the package in the emulator's own S3, the way Lambda keeps
it in an `awslambda-<region>-tasks` bucket, and returns a presigned URL: the local
demo then downloads the deployed package exactly as it would from AWS.

Lambda keeps a function's LoggingConfig (log format, application and system log
levels, log group); moto drops it, so Terraform would plan it again forever.
Here it is kept from CreateFunction and UpdateFunctionConfiguration and returned
as Lambda does, with Lambda's defaults.

Lambda keeps a function's runtime management configuration (when its runtime
version may change: Auto, FunctionUpdate, or Manual with a runtime version ARN);
moto has no PutRuntimeManagementConfig or GetRuntimeManagementConfig, so Terraform
could not create or read `aws_lambda_runtime_management_config`. Here both are
answered as Lambda does, kept on the function, Auto until set:
https://docs.aws.amazon.com/lambda/latest/api/API_PutRuntimeManagementConfig.html

DynamoDB publishes ConsumedRead/WriteCapacityUnits to CloudWatch for every
request it serves; moto publishes nothing, so doctor would have no datapoint to
judge. Here every item request that consumes capacity (a failed condition
included, as in DynamoDB) puts its units into moto's own CloudWatch, in
process, with the table (and index) as dimensions, at the time it was served:
CloudWatch's Sum per 60 s period is then the per-minute total DynamoDB shows.
Units are those of items up to 1 KB (writes) and 4 KB (reads), the warmer's case:
a write 1 WCU, a strongly consistent read 1 RCU, an eventually consistent one 0.5.

moto answers GetMetricData in time that grows with every stored datapoint times the periods asked
for; here a query of one metric reads its own series once (ddb_warmer/local/metric_series.py),
with moto's answer.
Everything else is moto as published.
"""

from __future__ import annotations

import json
import os
import sys
from urllib.parse import unquote

import boto3
from botocore.config import Config
from moto.awslambda import urls as lambda_urls
from moto.awslambda.models import LambdaFunction
from moto.awslambda.responses import LambdaResponse
from moto.cloudwatch.models import cloudwatch_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.responses import DynamoHandler
from moto.s3.models import s3_backends
from moto.server import main as moto_main

from ddb_warmer.local import metric_series

_moto_get_code = LambdaFunction.get_code


def _get_code_with_location(self: LambdaFunction) -> dict:
    response = _moto_get_code(self)
    if not self.code_bytes or response.get("Code", {}).get("RepositoryType") == "ECR":
        return response
    bucket = f"awslambda-{self.region}-tasks"
    key = f"snapshots/{self.account_id}/{self.function_name}-{self.code_sha_256.replace('/', '_')}"
    # Lambda keeps the code in a bucket of its own account, one for every customer account: bucket
    # names are global, so a bucket per customer account would collide as soon as two accounts ask.
    backend = s3_backends[DEFAULT_ACCOUNT_ID][self.partition]
    if bucket not in backend.buckets:
        backend.create_bucket(bucket, self.region)
    backend.put_object(bucket, key, self.code_bytes)
    response["Code"] = {"RepositoryType": "S3", "Location": _presigned_url(bucket, key, self.region)}
    return response


def _presigned_url(bucket: str, key: str, region: str) -> str:
    """A presigned GET like Lambda's own (signing is local: no request is sent)."""
    s3 = boto3.client(
        "s3",
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        endpoint_url=f"http://{os.environ['DDB_WARMER_EMULATOR_HOST']}:{os.environ['MOTO_PORT']}",
        config=Config(s3={"addressing_style": "path"}),
    )
    return s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=600)


LambdaFunction.get_code = _get_code_with_location

_moto_init = LambdaFunction.__init__
_moto_get_configuration = LambdaFunction.get_configuration
_moto_update_configuration = LambdaFunction.update_configuration


def _init_keeping_logging(self: LambdaFunction, account_id, spec, region, version=1):
    _moto_init(self, account_id, spec, region, version)
    self.logging_config = _logging_config(self.function_name, spec.get("LoggingConfig") or {})


def _logging_config(function_name: str, given: dict) -> dict:
    config = {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{function_name}", **given}
    if config["LogFormat"] == "JSON":  # Lambda's defaults for the JSON format
        config.setdefault("ApplicationLogLevel", "INFO")
        config.setdefault("SystemLogLevel", "INFO")
    else:
        config.pop("ApplicationLogLevel", None)
        config.pop("SystemLogLevel", None)
    return config


def _get_configuration_with_logging(self: LambdaFunction, on_create: bool = False) -> dict:
    config = _moto_get_configuration(self, on_create)
    config["LoggingConfig"] = dict(getattr(self, "logging_config", {}))
    return config


def _update_configuration_keeping_logging(self: LambdaFunction, updates: dict) -> dict:
    if "LoggingConfig" in updates:
        self.logging_config = _logging_config(self.function_name, updates["LoggingConfig"])
    return _moto_update_configuration(self, {k: v for k, v in updates.items() if k != "LoggingConfig"})


LambdaFunction.__init__ = _init_keeping_logging
LambdaFunction.get_configuration = _get_configuration_with_logging
LambdaFunction.update_configuration = _update_configuration_keeping_logging


def _runtime_management(self: LambdaResponse) -> tuple[dict, LambdaFunction]:
    function = self.backend.get_function(
        unquote(self.path.rsplit("/", 2)[-2]), self.querystring.get("Qualifier", [None])[0]
    )
    config = getattr(function, "runtime_management", None) or {"UpdateRuntimeOn": "Auto"}
    return {**config, "FunctionArn": function.function_arn}, function


def _get_runtime_management_config(self: LambdaResponse):
    config, _ = _runtime_management(self)
    return 200, {}, json.dumps(config)


def _put_runtime_management_config(self: LambdaResponse):
    _, function = _runtime_management(self)
    mode = self._get_param("UpdateRuntimeOn")
    version = self._get_param("RuntimeVersionArn")
    if mode not in ("Auto", "FunctionUpdate", "Manual") or (mode == "Manual") != bool(version):
        message = "UpdateRuntimeOn must be Auto, FunctionUpdate or Manual; RuntimeVersionArn goes with Manual only"
        return 400, {}, json.dumps({"Type": "User", "message": message, "__type": "InvalidParameterValueException"})
    function.runtime_management = {"UpdateRuntimeOn": mode, **({"RuntimeVersionArn": version} if version else {})}
    return 200, {}, json.dumps({**function.runtime_management, "FunctionArn": function.function_arn})


LambdaResponse.get_runtime_management_config = _get_runtime_management_config
LambdaResponse.put_runtime_management_config = _put_runtime_management_config
lambda_urls.url_paths[
    r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/runtime-management-config/?$"
] = LambdaResponse.dispatch

READS = {"GetItem", "Query", "Scan"}
WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
_moto_call_action = DynamoHandler.call_action


def _call_action_publishing_capacity(self: DynamoHandler):
    action = self.get_endpoint_name(self.headers)
    if action not in READS | WRITES:
        return _moto_call_action(self)
    response = _moto_call_action(self)
    status, _, body = response
    # DynamoDB charges a write whose condition failed; any other error consumed nothing.
    failed_condition = "ConditionalCheckFailed" in str(body)[:300]
    if int(status) == 200 or failed_condition:
        _publish_consumed(self, action)
    return response


def _publish_consumed(handler: DynamoHandler, action: str) -> None:
    body = handler.body if isinstance(handler.body, dict) else {}
    table = body.get("TableName")
    if not table:
        return
    dimensions = [{"Name": "TableName", "Value": table}]
    if body.get("IndexName"):
        dimensions.append({"Name": "GlobalSecondaryIndexName", "Value": body["IndexName"]})
    if action in WRITES:
        metric, units = "ConsumedWriteCapacityUnits", 1.0
    else:
        metric, units = "ConsumedReadCapacityUnits", 1.0 if body.get("ConsistentRead") else 0.5
    cloudwatch = cloudwatch_backends[handler.current_account][handler.region]
    cloudwatch.put_metric_data(
        "AWS/DynamoDB",
        [{"MetricName": metric, "Dimensions": dimensions, "Value": units, "Unit": "Count"}],
    )


DynamoHandler.call_action = _call_action_publishing_capacity
metric_series.install()

if __name__ == "__main__":
    moto_main(sys.argv[1:])
