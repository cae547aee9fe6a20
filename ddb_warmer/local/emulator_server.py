"""moto server, with the one Lambda behaviour the warmer's local runs need added.

    python -m ddb_warmer.local.emulator_server -H 127.0.0.1 -p PORT

Real Lambda answers GetFunction with `Code.Location`, a presigned S3 URL of
the deployed package. moto keeps the package of a function created from a zip
but its Location is a made-up AWS URL, so the deployed code cannot be fetched
back. Here
GetFunction stores the package in the emulator's own S3, the way Lambda keeps
it in an `awslambda-<region>-tasks` bucket, and returns a presigned URL: the local
demo then downloads the deployed package exactly as it would from AWS.
Everything else is moto as published.
"""

from __future__ import annotations

import os
import sys

import boto3
from botocore.config import Config
from moto.awslambda.models import LambdaFunction
from moto.s3.models import s3_backends
from moto.server import main as moto_main

_moto_get_code = LambdaFunction.get_code


def _get_code_with_location(self: LambdaFunction) -> dict:
    response = _moto_get_code(self)
    if not self.code_bytes or response.get("Code", {}).get("RepositoryType") == "ECR":
        return response
    bucket = f"awslambda-{self.region}-tasks"
    key = f"snapshots/{self.account_id}/{self.function_name}-{self.code_sha_256.replace('/', '_')}"
    backend = s3_backends[self.account_id][self.partition]
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

if __name__ == "__main__":
    sys.exit(moto_main(sys.argv[1:]))
