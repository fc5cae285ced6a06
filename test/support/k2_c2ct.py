"""Drive K2's emulator the way K2's CLI `c2-ct` (C2Devel/c2-client) does, and report what happened.

c2-ct is a boto3 `cloudtrail` client pointed at AWS_CLOUDTRAIL_URL, signing with the project-scoped
key and the region `croc` whatever the endpoint. It takes `Param value` pairs on the command line
(dot notation for lists and structures: `LookupAttributes.1.AttributeKey EventName`), converts each
value with the operation's input shape of K2's service model, and calls the operation. c2-client
needs K2's botocore fork and `inflection`, which are not installable here; this script does the same
with the installed boto3 and K2's model (test/support/k2-model, put first on AWS_DATA_PATH by the
caller).

Usage: k2_c2ct.py <scenario.json>, a list of [Action, {"Param": "value", ...}] pairs as c2-ct's
command line gives them. Prints one JSON line per call: the request as sent on the wire and the
parsed result or the error code. Exits 2 when the loaded model is not K2's.
"""
import json
import os
import sys

import boto3
from botocore import xform_name
from botocore.exceptions import ClientError
from botocore.model import ListShape, StructureShape


def make_client():
    # As CTClient.get_client: env key, secret and URL; region croc.
    return boto3.client(
        "cloudtrail",
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
        region_name="croc",
        endpoint_url=os.environ["AWS_CLOUDTRAIL_URL"],
    )


def from_dot_notation(pairs):
    """{"A.1.B": "x", "C": "y"} -> {"A": [{"B": "x"}], "C": "y"} (list indices count from 1)."""
    root = {}
    for key, value in pairs.items():
        node = root
        *path, last = key.split(".")
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return listify(root)


def listify(node):
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [listify(node[k]) for k in sorted(node, key=int)]
    return {k: listify(v) for k, v in node.items()}


def convert(value, shape):
    """Strings to the types the model's shape wants; timestamps stay as given (botocore parses them)."""
    if isinstance(shape, StructureShape):
        members = {name.lower(): (name, s) for name, s in shape.members.items()}
        out = {}
        for k, v in value.items():
            if k.lower() not in members:
                raise SystemExit(f"unknown parameter {k} for {shape.name}")
            name, s = members[k.lower()]
            out[name] = convert(v, s)
        return out
    if isinstance(shape, ListShape):
        return [convert(v, shape.member) for v in value]
    t = shape.type_name
    if t in ("integer", "long"):
        return int(value)
    if t in ("float", "double"):
        return float(value)
    if t == "boolean":
        return not (isinstance(value, str) and value.lower() == "false") and bool(value)
    if t == "string":
        return str(value)
    return value


def main():
    client = make_client()
    model = client.meta.service_model
    if model.operation_model("GetEventSelectors").input_shape.required_members != ["Name"]:
        print(json.dumps({"error": "not K2's model: GetEventSelectors does not require Name"}))
        sys.exit(2)
    wire = {}

    def capture(request, **_):
        def header(name):
            v = request.headers.get(name)
            return v.decode() if isinstance(v, bytes) else v

        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        wire.update(target=header("X-Amz-Target"), authorization=header("Authorization"), contentType=header("Content-Type"), body=json.loads(body or "{}"))

    client.meta.events.register("before-send.cloudtrail.*", capture)
    scenario = json.load(open(sys.argv[1]))
    for action, pairs in scenario:
        wire.clear()
        args = convert(from_dot_notation(pairs), model.operation_model(action).input_shape) if pairs else {}
        line = {"action": action}
        try:
            result = getattr(client, xform_name(action))(**args)
            result.pop("ResponseMetadata", None)
            line["result"] = json.loads(json.dumps(result, default=str))
        except ClientError as e:
            line["error"] = {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}
        line["wire"] = dict(wire)
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
