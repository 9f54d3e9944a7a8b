"""Run each function as deployed: its Environment and its role's policies read back from the created stack, an IAM
user holding exactly those policies, and bin/invoke (the Lambda Runtime API) with that environment and user."""
import json
import os
import re
import subprocess
import time

HANDLERS = {"Backup": "backup", "List": "list", "Prune": "prune", "Verify": "verify", "Restore": "restore",
            "RestoreTest": "restore-test", "Report": "report", "ConfigBackup": "config-backup",
            "ConfigRestore": "config-restore", "ConfigExport": "config-export"}
# Functions of the template the rehearsal deploys but does not run, each with the reason; any other function the stack
# outputs (<Logical>FunctionName) and HANDLERS lacks is a deviation, so that a new function is rehearsed or named here.
NOT_REHEARSED = {}
# What the host must lend the function (the JVM, the pg tools); nothing of the host's AWS settings.
HOST_VARIABLES = ("PATH", "HOME", "JAVA_HOME", "LANG", "TMPDIR", "MAVEN_OPTS", "MAVEN_USER_HOME")


class Function:
    def __init__(self, logical, name, handler, environment, role, policies):
        self.logical, self.name, self.handler = logical, name, handler
        self.environment, self.role, self.policies = environment, role, policies
        self.credentials = None
        self.runs = []            # (label, ok, seconds)
        self.refused_expected = 0
        self.emf = []             # EMF documents printed


def deployed_functions(emu, outputs):
    lam, iam = emu.client("lambda"), emu.client("iam")
    functions = []
    unknown = sorted(k[:-len("FunctionName")] for k in outputs if k.endswith("FunctionName")
                     and k[:-len("FunctionName")] not in HANDLERS and k[:-len("FunctionName")] not in NOT_REHEARSED)
    if unknown:
        raise AssertionError(f"the stack has functions the rehearsal neither runs nor names in NOT_REHEARSED: {unknown}")
    for logical, handler in HANDLERS.items():
        name = outputs[f"{logical}FunctionName"]
        config = lam.get_function_configuration(FunctionName=name)
        env = {k: str(v) for k, v in config["Environment"]["Variables"].items()}
        if env.get("QUARKUS_LAMBDA_HANDLER") != handler:
            raise AssertionError(f"{name}: QUARKUS_LAMBDA_HANDLER is {env.get('QUARKUS_LAMBDA_HANDLER')}, not {handler}")
        role = config["Role"].rsplit("/", 1)[1]
        policies = {}
        for policy_name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            doc = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
            policies[policy_name] = doc if isinstance(doc, dict) else json.loads(doc)
        for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            pol = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            version = iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=pol["DefaultVersionId"])
            policies[attached["PolicyName"]] = version["PolicyVersion"]["Document"]
        if not policies:
            raise AssertionError(f"{name}: its role {role} holds no policy")
        functions.append(Function(logical, name, handler, env, role, policies))
    return functions


def make_principal(emu, fn):
    """An IAM user holding exactly the role's policies (moto enforces identity policies of users)."""
    iam = emu.client("iam")
    user = f"rehearsal-{fn.handler}"
    iam.create_user(UserName=user)
    for name, doc in fn.policies.items():
        iam.put_user_policy(UserName=user, PolicyName=name, PolicyDocument=json.dumps(doc))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    fn.credentials = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}


def invoke(root, emu, fn, event, work, label, overrides, credentials=None):
    """bin/invoke HANDLER EVENT with the function's environment; returns (exit code, result, output text)."""
    creds = credentials or fn.credentials
    env = {k: os.environ[k] for k in HOST_VARIABLES if k in os.environ}
    env.update(fn.environment)
    env.update(overrides)
    env.update({"AWS_REGION": "eu-central-1", "AWS_ENDPOINT_URL": emu.endpoint,
                "AWS_ACCESS_KEY_ID": creds["aws_access_key_id"],
                "AWS_SECRET_ACCESS_KEY": creds["aws_secret_access_key"],
                "INVOKE_TIMEOUT_SECONDS": "600"})
    started = time.time()
    proc = subprocess.run([os.path.join(root, "bin/invoke"), fn.handler, json.dumps(event)], env=env,
                          capture_output=True, text=True, cwd=root)
    seconds = time.time() - started
    out_file = os.path.join(work, f"{fn.handler}-{re.sub(r'[^a-z0-9]+', '-', label.lower())}.log")
    with open(out_file, "w", encoding="utf-8") as f:
        f.write(f"$ bin/invoke {fn.handler} {json.dumps(event)}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    result = None
    try:
        result = json.loads(proc.stdout) if proc.stdout.strip() else None
    except ValueError:
        pass
    return proc.returncode, result, proc.stdout + proc.stderr, seconds, out_file


def emf_documents(text):
    docs = []
    for line in text.splitlines():
        i = line.find('{"_aws"')
        if i < 0:
            i = line.find("{") if '"_aws"' in line else -1
        if i >= 0:
            try:
                doc = json.loads(line[i:])
            except ValueError:
                continue
            if "_aws" in doc:
                docs.append(doc)
    return docs
