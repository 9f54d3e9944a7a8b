"""Deployment rehearsal on moto: see bin/rehearse and infra/README.md ("Rehearsing the deployment").

    python3 infra/rehearsal/rehearse.py ROOT WORKDIR
"""
import io
import json
import os
import socket
import subprocess
import sys
import time
import zipfile

import boto3
import botocore.config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import functions as fns  # noqa: E402
import negatives  # noqa: E402
import wiring  # noqa: E402
import stacks  # noqa: E402

PRIMARY, SECONDARY = "eu-central-1", "eu-west-1"
STACK, SECONDARY_STACK = "taskmaster-backup", "taskmaster-backup-secondary"
ACCOUNT = "123456789012"
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def log(msg):
    print(f"rehearse: {msg}", file=sys.stderr, flush=True)


class Deviation(Exception):
    """Something deployed does not behave as the project claims: the rehearsal fails."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Emulator:
    def __init__(self, work):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.decisions = os.path.join(work, "decisions.jsonl")
        env = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3", MOTO_PORT=str(self.port))
        self.log = open(os.path.join(work, "moto.log"), "w")
        self.proc = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "motoserver.py"),
                                      str(self.port), self.decisions], env=env, stdout=self.log, stderr=self.log)
        # Importing moto takes seconds idle and over a minute on a loaded machine: wait for the port, or fail saying so
        # (going on would only fail later with "connection refused").
        deadline = time.monotonic() + 300
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("moto_server exited; see " + self.log.name)
                if time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not listen within 300 s; see " + self.log.name)
                time.sleep(0.2)
        # The first three requests are unauthenticated: they make the deploying principal (an administrator).
        iam = self.client("iam", PRIMARY, {"aws_access_key_id": "bootstrap", "aws_secret_access_key": "bootstrap"})
        iam.create_user(UserName="rehearsal-deployer")
        iam.put_user_policy(UserName="rehearsal-deployer", PolicyName="admin", PolicyDocument=json.dumps(ADMIN_POLICY))
        key = iam.create_access_key(UserName="rehearsal-deployer")["AccessKey"]
        self.admin = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}

    def client(self, service, region=PRIMARY, credentials=None):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            config=botocore.config.Config(retries={"max_attempts": 1},
                                                          s3={"addressing_style": "path"}),
                            **(credentials or self.admin))

    def decisions_of(self, access_key_id):
        out = []
        if os.path.exists(self.decisions):
            with open(self.decisions, encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    if d["key"] == access_key_id:
                        out.append(d)
        return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Database:
    """A throwaway PostgreSQL (bin/pg-local) holding the TaskMaster sample; the restore-test server beside it."""

    def __init__(self, root, work, name="pg", sample=True):
        self.root, self.dir = root, os.path.join(work, name)
        self.scratch = None
        url = subprocess.run([os.path.join(root, "bin/pg-local"), "start", self.dir], check=True,
                             capture_output=True, text=True).stdout.strip()
        # postgresql://postgres:PW@127.0.0.1:PORT/postgres
        creds, hostport = url[len("postgresql://"):].rsplit("/", 1)[0].split("@")
        self.user, self.password = creds.split(":", 1)
        self.host, port = hostport.split(":")
        self.port = int(port)
        if sample:
            self.psql("postgres", "CREATE DATABASE taskmaster")
            self.psql("taskmaster", None, "-v", "scale=0.05", "-f", os.path.join(root, "db/taskmaster-sample.sql"))
            # restore-test refuses the source's server (issue 9): its scratch databases go to a server of their own
            self.scratch = Database(root, work, name + "-restore-test", sample=False)

    def url(self, db):
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{db}"

    def secret(self, db):
        return json.dumps({"host": self.host, "port": self.port, "username": self.user, "password": self.password,
                           "dbname": db})

    def psql(self, db, sql, *args):
        cmd = [pg_bin() + "/psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", self.url(db), *args]
        if sql:
            cmd += ["-c", sql]
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()

    def stop(self):
        subprocess.run([os.path.join(self.root, "bin/pg-local"), "stop", self.dir], capture_output=True)
        if self.scratch:
            self.scratch.stop()


def pg_bin():
    versions = sorted((d for d in os.listdir("/usr/lib/postgresql") if d.isdigit()), key=int)
    return f"/usr/lib/postgresql/{versions[-1]}/bin"


def deploy(emu, db, root, notes):
    """Steps 1-4 of infra/README.md's deploy order, on the emulator. Returns the deployment's facts."""
    admin_sm = emu.client("secretsmanager")
    # The operator's secrets (not part of the stacks): the source, the restore-test server, a restore target.
    secrets = {}
    for name, server, dbname in (("taskmaster/db", db, "taskmaster"), ("taskmaster/restore-test", db.scratch, "postgres"),
                                 ("taskmaster/restore-target", db, "restored")):
        secrets[name] = admin_sm.create_secret(Name=name, SecretString=server.secret(dbname))["ARN"]
    db.psql("postgres", "CREATE DATABASE restored")
    config = seed_configuration(emu, secrets)

    # Code: target/function.zip in a deployment bucket (what `sam deploy` uploads), and a stand-in for the pg tools
    # layer (the real one needs Docker: infra/layer/); the functions run the local pg tools (BACKUP_PG_BIN).
    s3 = emu.client("s3")
    s3.create_bucket(Bucket="rehearsal-deployment", CreateBucketConfiguration={"LocationConstraint": PRIMARY})
    s3.upload_file(os.path.join(root, "target/function.zip"), "rehearsal-deployment", "function.zip")
    layer_zip = io.BytesIO()
    with zipfile.ZipFile(layer_zip, "w") as z:
        z.writestr("bin/README", "stand-in for infra/layer: the rehearsal runs the local pg tools\n")
    layer = emu.client("lambda").publish_layer_version(
        LayerName="taskmaster-pg-x86_64", Content={"ZipFile": layer_zip.getvalue()},
        CompatibleRuntimes=["java21", "provided.al2023"])["LayerVersionArn"]
    notes.append("pg tools layer: a stand-in layer; the functions run the local pg tools (BACKUP_PG_BIN overridden)")

    # 1. secondary stack
    cfn2 = emu.client("cloudformation", SECONDARY)
    secondary = stacks.load_template(os.path.join(root, "infra/secondary.yaml"))
    sec_params = {"NoncurrentVersionRetentionDays": 30, "ObjectLockRetentionDays": 0, "ReplicaExpirationDays": 400}
    if "Transform" in secondary:  # a SAM template (the dr-drill function): transformed as sam deploy does it
        for resource in secondary.get("Resources", {}).values():
            if resource.get("Type") == "AWS::Serverless::Function":
                resource.setdefault("Properties", {})["CodeUri"] = "s3://rehearsal-deployment/function.zip"
        if "CodeUri" in secondary.get("Globals", {}).get("Function", {}):
            secondary["Globals"]["Function"]["CodeUri"] = "s3://rehearsal-deployment/function.zip"
        secondary = stacks.sam_transform(secondary, sec_params, SECONDARY)
    sec_template, sec_plans, sec_skipped = stacks.prepare(secondary, SECONDARY_STACK, notes)
    log("creating the secondary stack (infra/secondary.yaml) in " + SECONDARY)
    sec_stack = stacks.create_stack(cfn2, SECONDARY_STACK, sec_template, sec_params)
    sec_out = stacks.outputs_of(sec_stack)

    # 3. primary stack (SAM transform as sam deploy does it), test parameters.
    params = {
        "Runtime": "java21", "Architecture": "x86_64", "PgToolsLayerArn": layer,
        "DatabaseSecretArn": secrets["taskmaster/db"], "DatabaseName": "taskmaster",
        "HourlyBackups": "true", "AlertEmail": "ops@example.com",
        "SecondaryRegion": SECONDARY, "ReplicaBucketName": sec_out["ReplicaBucketName"],
        "ReplicaKmsKeyArn": sec_out["ReplicaBucketKeyArn"],
        "RestoreTargetSecretArns": secrets["taskmaster/restore-target"],
        "RestoreTestSecretArn": secrets["taskmaster/restore-test"],
        # The sample's own smoke query as an operator would add it.
        "RestoreTestSmokeQueries": "SELECT count(*) > 0 FROM pg_catalog.pg_tables WHERE schemaname = 'taskmaster'",
        # The API's configuration (config-backup): one path, one secret by ARN, one function. No ConfigSecretTag: moto
        # does not evaluate the tag condition, so the tagged-secrets grant would let the negative checks read any secret.
        "ConfigParameterPaths": CONFIG_PATH, "ConfigSecretArns": config["secret_arn"],
        "ConfigFunctionArns": config["function_arn"],
    }
    template = stacks.load_template(os.path.join(root, "template.yaml"))
    template["Globals"]["Function"]["CodeUri"] = "s3://rehearsal-deployment/function.zip"
    transformed = stacks.sam_transform(template, params, PRIMARY)
    main_template, plans, skipped = stacks.prepare(transformed, STACK, notes)
    log("creating the primary stack (template.yaml through aws-sam-translator) in " + PRIMARY)
    cfn = emu.client("cloudformation", PRIMARY)
    main_stack = stacks.create_stack(cfn, STACK, main_template, params)
    out = stacks.outputs_of(main_stack)
    created = []
    for lid, plan in plans.items():
        if not stacks.applies(lid, plan, out):
            continue
        props = stacks.resolve(plan["Properties"], out)
        created.append((lid, plan["Type"], stacks.create_by_api(emu.client, STACK, lid, plan, props, PRIMARY)))
    for lid, plan in sec_plans.items():
        if stacks.applies(lid, plan, sec_out):
            props = stacks.resolve(plan["Properties"], sec_out)
            created.append((lid, plan["Type"], stacks.create_by_api(emu.client, SECONDARY_STACK, lid, plan, props,
                                                                    SECONDARY)))
    # 4. secondary stack again, with PrimaryBackupKeyArn: the replica of the envelope key.
    primary_key = out["BackupKeyArn"]
    if ":key/mrk-" not in primary_key:
        raise Deviation(f"BackupKey is not a multi-Region key: {primary_key}")
    replica = emu.client("kms", PRIMARY).replicate_key(KeyId=primary_key.rsplit("/", 1)[1], ReplicaRegion=SECONDARY,
                                                        Description="TaskMaster backup envelope key replica")
    kms2 = emu.client("kms", SECONDARY)
    existing = [a for a in kms2.list_aliases()["Aliases"] if a["AliasName"] == "alias/taskmaster-backup"]
    replica_id = replica["ReplicaKeyMetadata"]["KeyId"]
    if existing and existing[0]["TargetKeyId"] != replica_id:
        raise Deviation(f"alias/taskmaster-backup in {SECONDARY} names another key: {existing}")
    if not existing:  # (moto's ReplicateKey copies the primary's aliases itself)
        kms2.create_alias(AliasName="alias/taskmaster-backup", TargetKeyId=replica_id)
    created.append(("BackupReplicaKey", "AWS::KMS::ReplicaKey",
                    "replica of the envelope key in " + SECONDARY + " (ReplicateKey; the secondary stack's second "
                    "deployment, whose alias BackupReplicaKeyAlias is created through the KMS API too)"))
    return {"created": created, "secrets": secrets, "params": params, "config": config, "outputs": out, "plans": plans, "skipped": skipped + sec_skipped,
            "secondary_outputs": sec_out, "secondary_plans": sec_plans, "cfn": cfn, "cfn2": cfn2}


CONFIG_PATH = "/taskmaster/prod"
# Values config-backup reads; none may appear in any output, result or alert (the String parameter's may: it is not
# secret). At least 8 characters each, so that the Redactor's masking does not hide unrelated text.
CONFIG_SECURE_VALUE = "rehearsal-secure-parameter-7f3a9c"
CONFIG_SECRET_VALUE = "rehearsal-api-secret-4b8e2d"
CONFIG_SECRET_ROTATED = "rehearsal-api-secret-rotated-9c1d"


def seed_configuration(emu, secrets):
    """The TaskMaster API's configuration as an operator has it, before the stacks: parameters under CONFIG_PATH (a
    String and a SecureString) and one outside it, the API's secret, and the API's Lambda function with its
    environment (its code is never run)."""
    ssm = emu.client("ssm")
    ssm.put_parameter(Name=f"{CONFIG_PATH}/api/log-level", Value="info", Type="String")
    ssm.put_parameter(Name=f"{CONFIG_PATH}/api/db-password", Value=CONFIG_SECURE_VALUE, Type="SecureString")
    ssm.put_parameter(Name="/taskmaster/other/feature-flags", Value="beta=on", Type="String")
    secret_arn = emu.client("secretsmanager").create_secret(Name="taskmaster/api-key",
                                                            SecretString=CONFIG_SECRET_VALUE)["ARN"]
    iam = emu.client("iam")
    role = iam.create_role(RoleName="taskmaster-api", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("index.py", "def handler(event, context):\n    return {}\n")
    function_arn = emu.client("lambda").create_function(
        FunctionName="taskmaster-api", Runtime="python3.12", Role=role, Handler="index.handler",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": {"LOG_FORMAT": "json", "API_BASE_URL": "https://api.example.com"}})["FunctionArn"]
    return {"secret_arn": secret_arn, "function_arn": function_arn.split(":live")[0]}


def report_deployment(facts, notes):
    print("Created through service APIs (the emulator's CloudFormation cannot create these types):")
    for lid, kind, what in facts["created"]:
        print(f"  {kind:34} {lid:40} {what}")
    print("Skipped (not created at all):")
    for lid, kind in facts["skipped"]:
        print(f"  {kind:34} {lid}")
    bad = [(lid, kind) for lid, kind in facts["skipped"] if kind in stacks.MUST_EXIST]
    if bad:
        raise Deviation(f"essential resources skipped: {bad}")
    print("Prepared for the emulator:")
    for n in notes:
        print("  " + n)


def schedule_inputs(emu):
    """The payload each schedule would send now, taken verbatim from the created schedule's Input."""
    sched = emu.client("scheduler")
    now = time.strftime("%Y-%m-%dT%H:00:00Z", time.gmtime())
    inputs = {}
    for summary in sched.list_schedules()["Schedules"]:
        target = sched.get_schedule(Name=summary["Name"])["Target"]
        payload = json.loads(target["Input"].replace("<aws.scheduler.scheduled-time>", now))
        inputs[(target["Arn"], payload.get("schedule"))] = payload
    return inputs


def scheduled(inputs, fn, which, account_arn):
    for (arn, schedule), payload in inputs.items():
        if arn == f"{account_arn}{fn.name}:live" and schedule == which:
            return payload
    raise Deviation(f"no schedule '{which}' targets {fn.name}:live (schedules: {sorted(inputs)})")


def replicate(emu, facts):
    """Stand-in for S3 replication (moto does not replicate): copy backups/ to the replica bucket as the
    replication role would, so that verify's replica check sees what AWS would show a few minutes later."""
    s3 = emu.client("s3")
    source = facts["outputs"]["BackupBucketName"]
    replica = facts["secondary_outputs"]["ReplicaBucketName"]
    copied = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=source, Prefix="backups/"):
        for o in page.get("Contents", []):
            s3.copy_object(Bucket=replica, Key=o["Key"], CopySource={"Bucket": source, "Key": o["Key"]})
            copied += 1
    return copied


def run_functions(emu, db, root, work, facts):
    functions = fns.deployed_functions(emu, facts["outputs"])
    by = {f.handler: f for f in functions}
    for f in functions:
        fns.make_principal(emu, f)
    overrides = {"BACKUP_S3_PATH_STYLE": "true", "BACKUP_PG_BIN": pg_bin()}
    inputs = schedule_inputs(emu)
    fn_arn = f"arn:aws:lambda:{PRIMARY}:{ACCOUNT}:function:"

    def run(handler, label, event):
        fn = by[handler]
        code, result, text, seconds, out_file = fns.invoke(root, emu, fn, event, work, label, overrides)
        fn.emf += fns.emf_documents(text)
        fn.runs.append((label, code == 0, seconds))
        if db.password in text:
            raise Deviation(f"{handler} ({label}) printed the database password; its output: {out_file}")
        for value in (CONFIG_SECURE_VALUE, CONFIG_SECRET_VALUE, CONFIG_SECRET_ROTATED):
            if value in text:
                raise Deviation(f"{handler} ({label}) printed a configuration secret's value; its output: {out_file}")
        log(f"{handler} ({label}): exit {code} in {seconds:.0f} s" + ("" if code == 0 else f"; output: {out_file}"))
        if code != 0:
            raise Deviation(f"{handler} ({label}) failed as deployed (exit {code}); its output: {out_file}\n"
                            + text[-3000:])
        return result

    daily = run("backup", "daily schedule", scheduled(inputs, by["backup"], "daily", fn_arn))
    hourly = run("backup", "hourly schedule", scheduled(inputs, by["backup"], "hourly", fn_arn))
    backup_ids = [r["backupId"] for r in (daily, hourly) if r and "backupId" in r]
    if len(backup_ids) != 2:
        raise Deviation(f"backup results without backupId: {daily}, {hourly}")
    listed = run("list", "manual", {})
    if not all(i in json.dumps(listed) for i in backup_ids):
        raise Deviation(f"list does not show both backups {backup_ids}: {listed}")
    log(f"replication stand-in: copied {replicate(emu, facts)} objects to the replica bucket")
    run("verify", "weekly schedule", scheduled(inputs, by["verify"], "verify", fn_arn))
    run("restore-test", "monthly schedule", scheduled(inputs, by["restore-test"], "restore-test", fn_arn))
    report = run("report", "weekly schedule", scheduled(inputs, by["report"], "report", fn_arn))
    page = emu.client("s3").get_object(Bucket=facts["outputs"]["BackupBucketName"], Key="backups/reports/readiness/latest.html")
    if b"<html" not in page["Body"].read(4096).lower():
        raise Deviation(f"report succeeded but backups/reports/readiness/latest.html is not a page: {report}")
    with open(os.path.join(root, "infra/events/restore.json"), encoding="utf-8") as f:
        restore_event = json.load(f)
    restore_event["backupId"] = backup_ids[0]
    restore_event["target"] = facts["secrets"]["taskmaster/restore-target"]
    run("restore", "infra/events/restore.json", restore_event)
    restored = db.psql("restored", "SELECT count(*) FROM pg_tables WHERE schemaname = 'taskmaster'")
    if int(restored) == 0:
        raise Deviation("restore succeeded but the target database has no taskmaster tables")
    for label in ("prune-dry-run", "prune-real"):
        with open(os.path.join(root, f"infra/events/{label}.json"), encoding="utf-8") as f:
            run("prune", f"infra/events/{label}.json", json.load(f))
    config_snapshot = rehearse_configuration(emu, root, run, inputs, by, fn_arn, facts)
    # Every call of these runs was allowed: a refusal here is a role missing a permission its function needs.
    for f in functions:
        refused = [d for d in emu.decisions_of(f.credentials["aws_access_key_id"]) if not d["allowed"]]
        if refused:
            raise Deviation(f"{f.handler} was refused calls while running as deployed: {refused}")
        f.allowed = len(emu.decisions_of(f.credentials["aws_access_key_id"]))
    return functions, by, backup_ids, overrides, config_snapshot


def rehearse_configuration(emu, root, run, inputs, by, fn_arn, facts):
    """config-backup (its daily schedule's input), a change, config-backup again (a change event: drift named),
    once more (nothing changed: no new snapshot), config-export (no secret value), config-restore dry run and
    confirmed (the first snapshot's values are live again). Returns the first snapshot's id."""
    ssm, sm = emu.client("ssm"), emu.client("secretsmanager")
    secret_arn = facts["config"]["secret_arn"]
    first = run("config-backup", "daily schedule", scheduled(inputs, by["config-backup"], "config-backup", fn_arn))
    if not first or first.get("duplicate") or not first.get("snapshotId"):
        raise Deviation(f"config-backup wrote no first snapshot: {first}")
    counts = first.get("counts", {})
    if (counts.get("parameters"), counts.get("secrets"), counts.get("functions")) != (2, 1, 1):
        raise Deviation(f"config-backup's first snapshot should hold 2 parameters (the path only), 1 secret and 1 "
                        f"function: {counts}")
    ssm.put_parameter(Name=f"{CONFIG_PATH}/api/log-level", Value="debug", Type="String", Overwrite=True)
    sm.put_secret_value(SecretId=secret_arn, SecretString=CONFIG_SECRET_ROTATED)
    with open(os.path.join(root, "infra/events/config-backup-change.json"), encoding="utf-8") as f:
        change_event = json.load(f)
    second = run("config-backup", "infra/events/config-backup-change.json", change_event)
    changed = set((second or {}).get("drift", {}).get("changed", []))
    expected = {f"parameter {CONFIG_PATH}/api/log-level", "secret taskmaster/api-key"}
    if second.get("duplicate") or second.get("previousSnapshotId") != first["snapshotId"] or not expected <= changed:
        raise Deviation(f"config-backup after a change must write a new snapshot and name {sorted(expected)} as "
                        f"changed: {second}")
    third = run("config-backup", "manual", {})
    if not third.get("duplicate") or third.get("snapshotId") != second["snapshotId"]:
        raise Deviation(f"config-backup with nothing changed must write nothing: {third}")
    export = run("config-export", "infra/events/config-export.json", {})
    document = json.dumps(export)
    if '"debug"' not in document or f"{CONFIG_PATH}/api/db-password" not in document:
        raise Deviation(f"config-export's document lacks the String parameter's value or the SecureString's name: {export}")
    dry = run("config-restore", "dry run of the first snapshot", {"snapshotId": first["snapshotId"]})
    if not dry.get("dryRun") or ssm.get_parameter(Name=f"{CONFIG_PATH}/api/log-level")["Parameter"]["Value"] != "debug":
        raise Deviation(f"config-restore's dry run changed something or is no dry run: {dry}")
    run("config-restore", "confirmed restore of the first snapshot",
        {"snapshotId": first["snapshotId"], "confirm": first["snapshotId"]})
    restored = ssm.get_parameter(Name=f"{CONFIG_PATH}/api/log-level")["Parameter"]["Value"]
    secret = sm.get_secret_value(SecretId=secret_arn)["SecretString"]
    if restored != "info" or secret != CONFIG_SECRET_VALUE:
        raise Deviation(f"config-restore did not write the first snapshot back: log-level {restored!r}, the secret "
                        f"{'restored' if secret == CONFIG_SECRET_VALUE else 'not restored'}")
    return first["snapshotId"]


def negative_checks(emu, db, root, work, facts, by, backup_ids, overrides):
    problems = []
    print("Negative checks (each must be refused):")
    for handler, what, refused, answer in negatives.direct_checks(emu, by, facts, backup_ids):
        by[handler].refused_expected += refused
        print(f"  {handler:13} {what:55} {'refused' if refused else 'NOT REFUSED'} ({answer})")
        if not refused:
            problems.append(f"{handler} could {what}")
    alerts = negatives.AlertQueue(emu, facts["outputs"]["AlertTopicArn"])
    print("Handlers run with a principal lacking a permission (must fail clearly, naming it, and alert):")
    for handler, principal, what, operation in negatives.HANDLER_CHECKS:
        fn = by[handler]
        event = {"backupId": backup_ids[0]} if handler == "verify" else (
            {"backupId": backup_ids[0], "target": facts["secrets"]["taskmaster/restore-target"]}
            if handler == "restore" else {} if handler.startswith("config-") else {"label": "rehearsal"})
        before = len([d for d in emu.decisions_of(by[principal].credentials["aws_access_key_id"]) if not d["allowed"]])
        code, result, text, seconds, out_file = fns.invoke(root, emu, fn, event, work, "as-" + principal, overrides,
                                                           credentials=by[principal].credentials)
        refused = [d for d in emu.decisions_of(by[principal].credentials["aws_access_key_id"])
                   if not d["allowed"]][before:]
        fn.emf += fns.emf_documents(text)
        message, issues = negatives.judge_failure(result, text, alerts.drain(), operation, db.password)
        if code == 0:
            issues.insert(0, "it succeeded")
        if not refused:
            issues.append("no call was refused")
        by[principal].refused_expected += len(refused)
        print(f"  {handler} as {principal}'s principal: exit {code}, {len(refused)} refused "
              f"({', '.join(sorted({d['action'] for d in refused}))}); error: {message[:240]}")
        for i in issues:
            print(f"    PROBLEM: {i} (output: {out_file})")
            problems.append(f"{what}: {i}")
    return problems


def main():
    root, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    started = time.time()
    notes = []
    emu = db = None
    try:
        emu = Emulator(work)
        db = Database(root, work)
        facts = deploy(emu, db, root, notes)
        report_deployment(facts, notes)
        functions, by, backup_ids, overrides, config_snapshot = run_functions(emu, db, root, work, facts)
        facts["config"]["snapshot"] = config_snapshot
        problems = negative_checks(emu, db, root, work, facts, by, backup_ids, overrides)
        print("Alarm and dashboard wiring (metrics watched vs EMF printed by the handlers):")
        lines, wiring_problems = wiring.check(emu, STACK, facts["outputs"]["DashboardName"],
                                              [d for f in functions for d in f.emf])
        print("\n".join(lines))
        problems += wiring_problems
        skipped = len(facts["skipped"])
        print(f"{'function':14} {'runs':>4} {'calls allowed':>14} {'refused as expected':>20}  result")
        allowed = refused = 0
        for f in functions:
            ok = all(r[1] for r in f.runs)
            print(f"{f.handler:14} {len(f.runs):>4} {f.allowed:>14} {f.refused_expected:>20}  "
                  + ("ok: " if ok else "FAILED: ") + ", ".join(r[0] for r in f.runs))
            allowed += f.allowed
            refused += f.refused_expected
        for p in problems:
            print("DEVIATION: " + p)
        print(f"wall time {time.time() - started:.0f} s")
        print(f"rehearsal: {len(functions)} functions ran as deployed, {allowed} calls allowed, {refused} refused as "
              f"expected, {skipped} resources skipped", flush=True)
        if problems:
            sys.exit(1)
    except Deviation as e:
        print(f"DEVIATION: {e}")
        sys.exit(1)
    finally:
        if db:
            db.stop()
        if emu:
            emu.stop()


if __name__ == "__main__":
    main()
