"""What each function's principal must NOT be able to do, tried with that principal's credentials.

Direct calls (one AWS call each, refused = AccessDenied) and handler runs: a handler run with a principal that lacks
a permission its work needs must fail with an error naming the refused operation, and publish an alert."""
import json
import re

import botocore.exceptions

DENIED = ("AccessDenied", "AccessDeniedException")


def _refused(call):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        return e.response["Error"]["Code"] in DENIED, e.response["Error"]["Code"]
    return False, "allowed"


def direct_checks(emu, by, facts, backup_ids):
    """[(handler, description, refused, answer)]"""
    bucket = facts["outputs"]["BackupBucketName"]
    key_arn = facts["outputs"]["BackupKeyArn"]
    blob = emu.client("kms").generate_data_key(KeyId=key_arn, KeySpec="AES_256",
                                               EncryptionContext={"purpose": "taskmaster-backup"})["CiphertextBlob"]
    s3 = {h: emu.client("s3", credentials=f.credentials) for h, f in by.items()}
    kms = {h: emu.client("kms", credentials=f.credentials) for h, f in by.items()}
    sm = {h: emu.client("secretsmanager", credentials=f.credentials) for h, f in by.items()}
    backup_id = backup_ids[0]
    listing = emu.client("s3").list_objects_v2(Bucket=bucket, Prefix="backups/data/")["Contents"]
    data_key = next(o["Key"] for o in listing if backup_id in o["Key"])
    manifest_key = f"backups/manifests/{backup_id}.json"
    source_secret = facts["secrets"]["taskmaster/db"]
    target_secret = facts["secrets"]["taskmaster/restore-target"]

    def delete(h, key):
        return lambda: s3[h].delete_object(Bucket=bucket, Key=key)

    def put(h, key):
        return lambda: s3[h].put_object(Bucket=bucket, Key=key, Body=b"rehearsal")

    def get(h, key):
        return lambda: s3[h].get_object(Bucket=bucket, Key=key)

    def decrypt(h):
        return lambda: kms[h].decrypt(CiphertextBlob=blob, EncryptionContext={"purpose": "taskmaster-backup"})

    def generate(h):
        return lambda: kms[h].generate_data_key(KeyId=key_arn, KeySpec="AES_256",
                                                EncryptionContext={"purpose": "taskmaster-backup"})

    def secret(h, arn):
        return lambda: sm[h].get_secret_value(SecretId=arn)

    checks = [
        ("backup", "delete a data object", delete("backup", data_key)),
        ("backup", "delete a manifest", delete("backup", manifest_key)),
        ("backup", "read a data object (outside its read prefix)", get("backup", data_key)),
        ("backup", "read a verification record (outside its read prefix)",
         get("backup", f"backups/verifications/{backup_id}/x.json")),
        ("backup", "write outside backups/", put("backup", "elsewhere/x")),
        ("backup", "write a verification record", put("backup", f"backups/verifications/{backup_id}/x.json")),
        ("backup", "write a prune audit record", put("backup", "backups/audit/prune/x.json")),
        ("backup", "decrypt a backup's data key", decrypt("backup")),
        ("backup", "read the restore target's secret", secret("backup", target_secret)),
    ]
    for h in ("verify", "restore", "restore-test"):
        checks += [
            (h, "write a data object", put(h, "backups/data/rehearsal.bin")),
            (h, "write a manifest", put(h, "backups/manifests/rehearsal.json")),
            (h, "delete a data object", delete(h, data_key)),
            (h, "delete a manifest", delete(h, manifest_key)),
            (h, "generate a data key (encrypt)", generate(h)),
        ]
    checks += [
        ("verify", "read the database secret", secret("verify", source_secret)),
        ("restore", "read the source database's secret", secret("restore", source_secret)),
        ("restore", "write a verification record", put("restore", f"backups/verifications/{backup_id}/x.json")),
        ("restore-test", "read the restore target's secret", secret("restore-test", target_secret)),
        ("prune", "decrypt a backup's data key", decrypt("prune")),
        ("prune", "read a data object", get("prune", data_key)),
        ("prune", "write a data object", put("prune", "backups/data/rehearsal.bin")),
        ("prune", "write a manifest", put("prune", "backups/manifests/rehearsal.json")),
        ("prune", "read the database secret", secret("prune", source_secret)),
        ("list", "decrypt a backup's data key", decrypt("list")),
        ("list", "read a data object", get("list", data_key)),
        ("list", "write a manifest", put("list", "backups/manifests/rehearsal.json")),
        ("list", "delete a manifest", delete("list", manifest_key)),
        ("list", "read the database secret", secret("list", source_secret)),
    ]
    checks += config_checks(emu, by, facts)
    results = []
    for handler, what, call in checks:
        refused, answer = _refused(call)
        results.append((handler, what, refused, answer))
    return results


def config_checks(emu, by, facts):
    """The configuration roles (issue 15): config-backup reads only what is configured and writes no configuration;
    config-restore writes only the configured parameters and secrets; config-export touches no configuration; none
    of them writes outside backups/config/ (config-backup) or at all (the other two); the database roles cannot read
    the configuration. (What config-restore may write it did write: the confirmed restore, every call allowed.)"""
    bucket = facts["outputs"]["BackupBucketName"]
    path = facts["params"]["ConfigParameterPaths"]
    configured_secret = facts["config"]["secret_arn"]
    other_secret = facts["secrets"]["taskmaster/db"]
    snapshot = facts["config"]["snapshot"]
    manifest = f"backups/config/manifests/{snapshot}.json"
    handlers = ("config-backup", "config-restore", "config-export", "backup", "restore")
    ssm = {h: emu.client("ssm", credentials=by[h].credentials) for h in handlers}
    sm = {h: emu.client("secretsmanager", credentials=by[h].credentials) for h in handlers}
    lam = {h: emu.client("lambda", credentials=by[h].credentials) for h in handlers}
    s3 = {h: emu.client("s3", credentials=by[h].credentials) for h in handlers}

    def put_parameter(h, name):
        return lambda: ssm[h].put_parameter(Name=name, Value="rehearsal-value", Type="String", Overwrite=True)

    def read_path(h, p):
        return lambda: ssm[h].get_parameters_by_path(Path=p, Recursive=True, WithDecryption=True)

    def put_secret(h, arn):
        return lambda: sm[h].put_secret_value(SecretId=arn, SecretString="rehearsal-value-not-written")

    def get_secret(h, arn):
        return lambda: sm[h].get_secret_value(SecretId=arn)

    def update_function(h):
        return lambda: lam[h].update_function_configuration(FunctionName="taskmaster-api",
                                                            Environment={"Variables": {"LOG_FORMAT": "text"}})

    def read_function(h):
        return lambda: lam[h].get_function_configuration(FunctionName="taskmaster-api")

    def put(h, key):
        return lambda: s3[h].put_object(Bucket=bucket, Key=key, Body=b"rehearsal")

    def get(h, key):
        return lambda: s3[h].get_object(Bucket=bucket, Key=key)

    def delete(h, key):
        return lambda: s3[h].delete_object(Bucket=bucket, Key=key)

    return [
        ("config-backup", "write a parameter under its path", put_parameter("config-backup", f"{path}/api/log-level")),
        ("config-backup", "read an unconfigured parameter path", read_path("config-backup", "/taskmaster/other")),
        ("config-backup", "read an unconfigured secret (the database's)", get_secret("config-backup", other_secret)),
        ("config-backup", "write a new version of its secret", put_secret("config-backup", configured_secret)),
        ("config-backup", "update its function's environment", update_function("config-backup")),
        ("config-backup", "write a database backup's manifest", put("config-backup", "backups/manifests/rehearsal.json")),
        ("config-backup", "delete a configuration snapshot", delete("config-backup", manifest)),
        ("config-restore", "write a parameter outside the paths", put_parameter("config-restore", "/taskmaster/other/x")),
        ("config-restore", "read an unconfigured parameter path", read_path("config-restore", "/taskmaster/other")),
        ("config-restore", "write an unconfigured secret (the database's)", put_secret("config-restore", other_secret)),
        ("config-restore", "read an unconfigured secret (the database's)", get_secret("config-restore", other_secret)),
        ("config-restore", "write a configuration snapshot", put("config-restore", "backups/config/manifests/x.json")),
        ("config-export", "read the configured parameters", read_path("config-export", path)),
        ("config-export", "read the configured secret", get_secret("config-export", configured_secret)),
        ("config-export", "read its function's environment", read_function("config-export")),
        ("config-export", "write a parameter", put_parameter("config-export", f"{path}/api/log-level")),
        ("config-export", "write a configuration snapshot", put("config-export", "backups/config/manifests/x.json")),
        ("backup", "read a configuration snapshot", get("backup", manifest)),
        ("backup", "read the configured parameters", read_path("backup", path)),
        ("restore", "read the configured secret", get_secret("restore", configured_secret)),
    ]


class AlertQueue:
    """An SQS queue subscribed to the alert topic: the alerts the handlers published."""

    def __init__(self, emu, topic_arn):
        self.sqs = emu.client("sqs")
        self.url = self.sqs.create_queue(QueueName="rehearsal-alerts")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        emu.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn,
                                    Attributes={"RawMessageDelivery": "true"})

    def drain(self):
        messages = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
            batch = got.get("Messages", [])
            if not batch:
                return messages
            for m in batch:
                messages.append(m["Body"])
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])


# Handler runs with a principal lacking what the work needs:
# (handler, principal, what, operations of which the error must name one: those the principal lacks)
HANDLER_CHECKS = [
    ("verify", "list", "verify with list's principal (no data read, no decrypt)",
     ("s3:GetObject", "kms:Decrypt", "kms:DescribeKey")),
    ("verify", "restore-test", "verify with restore-test's principal (reads all, cannot store verification records)",
     ("s3:PutObject",)),
    ("backup", "restore-test", "back up with restore-test's principal (no data write, no encrypt)",
     ("s3:PutObject", "kms:GenerateDataKey")),
    ("restore", "prune", "restore with prune's principal (no data read, no decrypt, no target secret)",
     ("s3:GetObject", "kms:Decrypt", "kms:DescribeKey", "secretsmanager:GetSecretValue")),
    ("config-backup", "config-export", "config-backup with config-export's principal (reads no configuration)",
     ("ssm:GetParametersByPath", "secretsmanager:GetSecretValue", "lambda:GetFunctionConfiguration")),
]


def judge_failure(result, text, alerts, operations, password):
    """Problems with how a refused call surfaced (empty: a clear error naming the operation, and an alert)."""
    problems = []
    message = (result or {}).get("errorMessage", "") if isinstance(result, dict) else ""
    if not message:  # bin/invoke prints a failed invocation's error document on stderr
        found = re.search(r'"errorMessage"\s*:\s*("(?:[^"\\]|\\.)*")', text)
        message = json.loads(found.group(1)) if found else ""
    if not message:
        problems.append("no errorMessage in the result")
    elif not any(op in message for op in operations):
        problems.append(f"the error names none of the refused operations {operations}: {message[:400]}")
    if not any(any(op in a for op in operations) for a in alerts):
        problems.append(f"no alert names the refused operation ({len(alerts)} alerts: {[a[:300] for a in alerts]})")
    if password and password in text:
        problems.append("the database password appears in the output")
    return message, problems


def dumps(x):
    return json.dumps(x, default=str)
