"""moto_server for the deployment rehearsal, with the emulator defects the rehearsal hit patched at run time.

    python3 infra/rehearsal/motoserver.py PORT DECISIONS_FILE

Starts moto's server on 127.0.0.1:PORT (IAM enforcement is switched on by the caller through
INITIAL_NO_AUTH_ACTION_COUNT) and appends one JSON line per authorization decision taken for a signed request to
DECISIONS_FILE: {"key": access key id, "action": "s3:GetObject", "resource": ARN, "allowed": bool}.

moto 5.x is used as installed; each patch below says which defect it works around (docs: infra/README.md,
"Rehearsing the deployment"). Nothing here changes what a policy allows: the patches give moto the resource ARN
AWS would evaluate, or the error shape AWS would send.
"""
import json
import sys
import threading

from moto.core import exceptions as core_exceptions
from moto.iam import access_control


def _log_decisions(path):
    """Record every authorization decision (the rehearsal counts allowed and refused calls per principal)."""
    lock = threading.Lock()
    original = access_control.IAMRequestBase.check_action_permitted

    def check_action_permitted(self, resource):
        allowed = False
        try:
            original(self, resource)
            allowed = True
        finally:
            record = {"key": self._access_key._access_key_id if hasattr(self._access_key, "_access_key_id") else None,
                      "action": self._action, "resource": resource, "allowed": allowed}
            with lock, open(path, "a", encoding="utf-8") as out:
                out.write(json.dumps(record) + "\n")

    access_control.IAMRequestBase.check_action_permitted = check_action_permitted


def _json_access_denied():
    """Defect: moto answers AccessDenied in XML to services speaking JSON (KMS, Secrets Manager, ...): the SDKs
    cannot parse it and report an unreadable error. AWS answers AccessDeniedException as JSON (HTTP 400)."""
    original = access_control.IAMRequest._raise_access_denied

    def raise_access_denied(self):
        if self._service in ("kms", "secretsmanager", "logs", "monitoring", "scheduler", "lambda", "ssm"):
            error = core_exceptions.JsonRESTError(
                "AccessDeniedException",
                f"User: {self._access_key.arn} is not authorized to perform: {self._action}")
            error.code = 400
            raise error
        original(self)

    access_control.IAMRequest._raise_access_denied = raise_access_denied


def _resource_checks():
    """Defect: moto checks the Resource of IAM policies only for S3, SQS, IAM and STS; for every other service it
    evaluates the call against resource "*", so a policy naming a key, topic, secret, parameter or function ARN (as
    ours do) never matches and every call is refused. Give KMS, SNS, Secrets Manager, SSM (parameters) and Lambda
    (function configuration) the resource AWS evaluates."""
    from moto.kms import responses as kms_responses
    from moto.kms import utils as kms_utils
    from moto.kms.models import kms_backends
    from moto.secretsmanager import responses as sm_responses
    from moto.secretsmanager.models import secretsmanager_backends
    from moto.sns import responses as sns_responses

    def kms_resource(self):
        try:
            params = json.loads(self.body) if self.body else {}
            key_id = params.get("KeyId") or params.get("DestinationKeyId")
            backend = kms_backends[self.current_account][self.region]
            if not key_id and params.get("CiphertextBlob"):
                import base64
                blob = base64.b64decode(params["CiphertextBlob"])
                key_id = kms_utils._deserialize_ciphertext_blob(blob).key_id
            if not key_id:
                return "*"
            return backend.describe_key(backend.get_key_id(key_id)).arn
        except Exception:  # unknown key: let the operation itself answer NotFound
            return "*"

    def secret_resource(self):
        try:
            params = json.loads(self.body) if self.body else {}
            secret_id = params.get("SecretId")
            if not secret_id:
                return "*"
            backend = secretsmanager_backends[self.current_account][self.region]
            return backend.describe_secret(secret_id).arn if hasattr(backend.describe_secret(secret_id), "arn") \
                else backend.describe_secret(secret_id)["ARN"]
        except Exception:
            return "*"

    def sns_resource(self):
        topic = self._get_param("TopicArn") or self._get_param("TargetArn")
        return topic or "*"

    # Parameter Store (config-backup, config-restore): a parameter's ARN is "parameter" + its name ("/a/b"); for
    # GetParametersByPath AWS evaluates the path's ARN.
    from moto.ssm import responses as ssm_responses

    def ssm_resource(self):
        try:
            params = json.loads(self.body) if self.body else {}
            name = params.get("Name") or params.get("Path")
            if not name:
                return "*"
            name = name if name.startswith("/") else "/" + name
            return f"arn:aws:ssm:{self.region}:{self.current_account}:parameter{name}"
        except Exception:
            return "*"

    # Lambda function configuration (config-backup reads it, config-restore updates it): the function's ARN, from the
    # path /2015-03-31/functions/<name or ARN>/configuration. Other Lambda calls keep "*".
    import re as _re
    from urllib.parse import unquote
    from moto.awslambda import responses as lambda_responses

    def lambda_resource(self):
        m = _re.search(r"/functions/([^/]+)/configuration", unquote(self.path or ""))
        if not m:
            return "*"
        name = m.group(1)
        if name.startswith("arn:"):
            return _re.sub(r":(\$LATEST|[A-Za-z0-9_-]+)$", "", name) if name.count(":") > 6 else name
        return f"arn:aws:lambda:{self.region}:{self.current_account}:function:{name}"

    kms_responses.KmsResponse._determine_resource = kms_resource
    sm_responses.SecretsManagerResponse._determine_resource = secret_resource
    sns_responses.SNSResponse._determine_resource = sns_resource
    ssm_responses.SimpleSystemManagerResponse._determine_resource = ssm_resource
    lambda_responses.LambdaResponse._determine_resource = lambda_resource


def _multi_region_key_ids():
    """Defect: moto names a multi-Region key "mrk-" + a 36-character UUID (40 characters; AWS: "mrk-" + 32 hex
    digits), but its ciphertext blobs hold a 36-byte key id, so nothing encrypted under such a key decrypts (and
    infra/secondary.yaml's pattern for PrimaryBackupKeyArn refuses the ARN). Give such keys AWS's shape."""
    import re
    import uuid
    from moto.kms import models as kms_models
    from moto.kms import responses as kms_responses
    from moto.kms.exceptions import NotFoundException

    def generate_key_id(multi_region=False):
        return "mrk-" + uuid.uuid4().hex if multi_region else str(uuid.uuid4())

    kms_models.generate_key_id = generate_key_id
    original = kms_responses.KmsResponse._validate_cmk_id

    def validate_cmk_id(self, key_id):
        if re.match(r"^mrk-[a-f0-9]{32}$", key_id):
            if self.kms_backend.get_key_id(key_id) not in self.kms_backend.keys:
                raise NotFoundException(f"Key '{self._display_arn(key_id)}' does not exist")
            return
        original(self, key_id)

    kms_responses.KmsResponse._validate_cmk_id = validate_cmk_id

    # Defect: moto's CloudFormation ignores AWS::KMS::Key's MultiRegion (and KeySpec, KeyUsage): the envelope key
    # would be a single-Region key, which infra/secondary.yaml cannot replicate. It also stores the KeyPolicy as an
    # object, on which DescribeKey then fails with HTTP 500 (it expects the JSON text).
    def create_key_from_cfn(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json["Properties"]
        key = kms_models.kms_backends[account_id][region_name].create_key(
            policy=json.dumps(properties["KeyPolicy"]), key_usage=properties.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=properties.get("KeySpec", "SYMMETRIC_DEFAULT"), description=properties.get("Description"),
            tags=properties.get("Tags", []), multi_region=bool(properties.get("MultiRegion", False)))
        key.key_rotation_status = properties.get("EnableKeyRotation", False)
        key.enabled = properties.get("Enabled", True)
        return key

    kms_models.Key.create_from_cloudformation_json = classmethod(create_key_from_cfn)


def _no_value_in_lists():
    """Defect: moto's CloudFormation turns {"Ref": "AWS::NoValue"} inside a list (an Fn::If statement of a policy,
    a conditional list element) into null instead of removing the element; the policy then fails as malformed."""
    from moto.cloudformation import parsing

    original = parsing.clean_json

    def is_intrinsic(node):
        return isinstance(node, dict) and len(node) == 1 and ("Ref" in node or next(iter(node)).startswith("Fn::"))

    def clean_json(node, resources_map):
        if isinstance(node, list):
            out = []
            for value in node:
                cleaned = clean_json(value, resources_map)
                if cleaned is None and is_intrinsic(value):
                    continue
                out.append(cleaned)
            return out
        return original(node, resources_map)

    parsing.clean_json = clean_json

    # Defect: one output that cannot be resolved or is not a string (a list, an object) makes moto drop every
    # output of the stack silently. Keep the others; a structured value is given as JSON, an error as its text.
    original_output = parsing.parse_output

    def parse_output(logical_id, output_json, resources_map):
        try:
            output = original_output(logical_id, output_json, resources_map)
        except Exception as e:  # noqa: BLE001 - reported to the rehearsal as the output's value
            return parsing.Output(key=logical_id, value="__unresolved__: " + repr(e), description=None)
        if output is not None and not isinstance(output.value, str):
            output.value = json.dumps(output.value)
        return output

    parsing.parse_output = parse_output


def _signature_of_requests_without_body():
    """Defect: to check a signature moto rebuilds the request with its parsed parameters as the body when there is
    no body (a GET with a query string: Lambda ListVersionsByFunction, S3 ListObjectsV2 with a prefix), so the
    payload hash differs from the client's and a correctly signed request is refused (SignatureDoesNotMatch).
    Likewise it signs the query string decoded (S3 ListObjectsV2 with prefix=backups/: "/" instead of "%2F"), and the
    path decoded (Lambda GetFunctionConfiguration of a function ARN: ":" where the client signed "%253A")."""
    from urllib.parse import parse_qsl, quote, unquote, urlencode

    from botocore.awsrequest import AWSRequest

    def canonical_path(path):
        base, sep, query = path.partition("?")
        if not sep:
            return path
        pairs = parse_qsl(query, keep_blank_values=True)
        return base + "?" + urlencode(pairs, quote_via=lambda v, *a, **k: quote(v, safe="-_.~"))

    def encoded_segments(path):
        base, sep, query = path.partition("?")
        return "/".join(quote(unquote(seg), safe="-_.~") for seg in base.split("/")) + sep + query

    def create_aws_request(self):
        signed_headers = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
        headers = self._create_headers_for_aws_request(signed_headers, self._headers)
        body = self._body if self._body else (b"" if self._method in ("GET", "HEAD", "DELETE") else self._data)
        path = canonical_path(self._path)
        # Every service but S3 signs its path URI-encoded twice (SigV4); moto hands the signer the decoded path, so a
        # path holding an ARN (Lambda GetFunctionConfiguration of "arn:aws:lambda:...") never matched: encode it once
        # here, the signer encodes it again.
        credential = self._get_string_between("Credential=", ",", self._headers["Authorization"]).split("/")
        if len(credential) > 3 and credential[3] != "s3":
            path = encoded_segments(path)
        request = AWSRequest(method=self._method, url=path, data=body, headers=headers)
        request.context["timestamp"] = headers["X-Amz-Date"]
        return request

    access_control.IAMRequestBase._create_aws_request = create_aws_request


def main():
    port, decisions = sys.argv[1], sys.argv[2]
    _signature_of_requests_without_body()
    _log_decisions(decisions)
    _no_value_in_lists()
    _multi_region_key_ids()
    _json_access_denied()
    _resource_checks()
    from moto.server import main as moto_main
    moto_main(["-H", "127.0.0.1", "-p", port])


if __name__ == "__main__":
    main()
