"""Which path the warm requests take on the botocore these tests run on (the botocore matrix runs them
on several: ddb_warmer/build/botocore_matrix.py). Tests of the lean path itself need it to be taken."""

from __future__ import annotations

import boto3
import botocore
import pytest

from lambda_function.wire_probe import probe

LEAN_PROBLEM = probe(
    boto3.client("dynamodb", region_name="eu-west-1", aws_access_key_id="probe", aws_secret_access_key="probe")
)
needs_lean_path = pytest.mark.skipif(
    LEAN_PROBLEM is not None,
    reason=f"botocore {botocore.__version__} takes the stock path ({LEAN_PROBLEM}): "
    "the lean path's own behaviour is tested where it is taken",
)
