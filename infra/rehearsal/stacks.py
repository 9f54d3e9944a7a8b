"""Create the two stacks on moto the way infra/README.md deploys them on AWS, preparing the templates for the emulator.

What the emulator's CloudFormation cannot create is either created afterwards through the service's own API with
the properties the stack resolved (CREATED_BY_API), or skipped (SKIPPED); both are reported, nothing is dropped
silently. A skipped function, role, bucket, key, topic, secret or schedule fails the rehearsal.
"""
import copy
import json
import os
import time

import yaml

# Resource types moto's CloudFormation does not create, and what the rehearsal does instead.
CREATED_BY_API = {
    "AWS::CloudWatch::Alarm", "AWS::Scheduler::Schedule", "AWS::Lambda::Alias", "AWS::Lambda::EventInvokeConfig",
    "AWS::SQS::QueuePolicy", "AWS::SNS::Subscription", "AWS::CloudTrail::Trail", "AWS::KMS::ReplicaKey",
    # config-backup's change rules and their invoke permissions target the alias, which exists only afterwards.
    "AWS::Events::Rule", "AWS::Lambda::Permission",
}
# S3 bucket policies: moto evaluates no resource-based policy (and no condition, so a DenyInsecureTransport
# statement would deny everything): applying them would prove nothing. Listed as skipped.
SKIPPED = {"AWS::S3::BucketPolicy"}
MUST_EXIST = ("AWS::Lambda::Function", "AWS::IAM::Role", "AWS::IAM::Policy", "AWS::S3::Bucket", "AWS::KMS::Key",
              "AWS::SNS::Topic", "AWS::SecretsManager::Secret", "AWS::Scheduler::Schedule")
PLACEHOLDER = "__rehearsal_output__"


class _Loader(yaml.SafeLoader):
    pass


def load_template(path):
    """Plain YAML (the templates use only the long form of intrinsics)."""
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=_Loader)


def sam_transform(template, parameters, region):
    """aws-sam-translator, as `sam deploy` runs it (managed policy names: none used)."""
    os.environ.setdefault("AWS_DEFAULT_REGION", region)
    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self):
            return {}

    return transform(copy.deepcopy(template), dict(parameters), NoManagedPolicies())


def _walk(node, fn):
    """Rebuild node bottom-up through fn (applied to every dict and list)."""
    if isinstance(node, dict):
        return fn({k: _walk(v, fn) for k, v in node.items()})
    if isinstance(node, list):
        return fn([_walk(v, fn) for v in node])
    return node


def _is_intrinsic(node):
    return isinstance(node, dict) and len(node) == 1 and (next(iter(node)).startswith("Fn::") or "Ref" in node)


def prepare(template, stack_name, notes):
    """The template moto's CloudFormation gets, and the resources to create afterwards through service APIs.

    Every intrinsic inside a deferred resource's properties becomes a stack output, so the emulator resolves them
    (conditions, Fn::Sub, GetAtt, parameters) exactly as it resolves the rest of the stack."""
    t = copy.deepcopy(template)
    resources = t["Resources"]
    deferred, skipped = {}, []
    for lid, res in list(resources.items()):
        if res["Type"] in CREATED_BY_API or res["Type"] in SKIPPED:
            del resources[lid]
            if res["Type"] in SKIPPED:
                skipped.append((lid, res["Type"]))
            else:
                deferred[lid] = res
    gone = set(deferred) | {lid for lid, _ in skipped}

    # SAM's schedule roles carry inline policies without "Version"; moto refuses them (AWS defaults it).
    versioned = 0
    for lid, res in resources.items():
        if res["Type"] == "AWS::IAM::Role":
            for p in res["Properties"].get("Policies", []):
                if "Version" not in p["PolicyDocument"]:
                    p["PolicyDocument"] = {"Version": "2012-10-17", **p["PolicyDocument"]}
                    versioned += 1
    if versioned:
        notes.append(f"added Version 2012-10-17 to {versioned} SAM-generated inline policies (moto requires it)")

    # References to deferred resources: an alias is its function's ARN + ":live"; an alarm's ARN is known from the
    # name the rehearsal gives it.
    def alias_function(lid):
        return deferred[lid]["Properties"]["FunctionName"]["Ref"]

    def rule_arn(lid):
        return {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/"
                           + rule_name("${AWS::StackName}", lid)}

    def replace_refs(node):
        if isinstance(node, dict):
            target = node.get("Fn::GetAtt")
            if isinstance(target, list) and target[0] in deferred and target[1] == "Arn" \
                    and deferred[target[0]]["Type"] == "AWS::Events::Rule":
                return rule_arn(target[0])
            if node.get("Ref") in deferred and deferred[node["Ref"]]["Type"] == "AWS::Lambda::Alias":
                lid = node["Ref"]
                return {"Fn::Sub": "${" + alias_function(lid) + ".Arn}:" + deferred[lid]["Properties"]["Name"]}
            if "Fn::Sub" in node:
                sub = node["Fn::Sub"]
                text = sub if isinstance(sub, str) else sub[0]
                for lid, res in deferred.items():
                    if res["Type"] == "AWS::CloudWatch::Alarm":
                        text = text.replace("${" + lid + ".Arn}", "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:"
                                            "${AWS::AccountId}:alarm:${AWS::StackName}-" + lid)
                node = {"Fn::Sub": text if isinstance(sub, str) else [text, sub[1]]}
            if "DependsOn" in node:
                deps = node["DependsOn"] if isinstance(node["DependsOn"], list) else [node["DependsOn"]]
                deps = [d for d in deps if d not in gone]
                node = {k: v for k, v in node.items() if k != "DependsOn"}
                if deps:
                    node["DependsOn"] = deps
        return node

    t = _walk(t, replace_refs)
    deferred = _walk(deferred, replace_refs)

    # Deferred properties: each intrinsic leaf -> an output of the stack.
    outputs = t.setdefault("Outputs", {})
    counter = [0]

    def to_output(condition):
        def fn(node):
            if _is_intrinsic(node):
                counter[0] += 1
                name = f"Rehearsal{counter[0]}"
                outputs[name] = {"Value": node}
                if condition:
                    outputs[name]["Condition"] = condition
                return {PLACEHOLDER: name}
            return node
        return fn

    plans = {}
    for lid, res in deferred.items():
        props = _walk(res.get("Properties", {}), to_output(res.get("Condition")))
        plans[lid] = {"Type": res["Type"], "Condition": res.get("Condition"), "Properties": props}
        if res.get("Condition"):  # present in the outputs only when the condition holds
            outputs["RehearsalCondition" + lid] = {"Value": "true", "Condition": res["Condition"]}
    return t, plans, skipped


def rule_name(stack_name, lid):
    """The name the rehearsal gives a rule (CloudFormation would add a random suffix)."""
    return f"{stack_name}-{lid}"


def applies(lid, plan, outputs):
    return not plan["Condition"] or outputs.get("RehearsalCondition" + lid) == "true"


def _json_or_text(value):
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def resolve(props, outputs):
    """Fill the placeholders with the stack's outputs (None: the output's condition was false)."""
    def fn(node):
        if isinstance(node, dict) and PLACEHOLDER in node:
            value = outputs.get(node[PLACEHOLDER])
            return _typed(value)
        return node
    return _walk(props, fn)


def _typed(value):
    if isinstance(value, str) and value.startswith("__unresolved__"):
        return Unresolved(value)
    return _json_or_text(value)


class Unresolved(str):
    """An intrinsic the emulator could not resolve (e.g. Fn::GetAtt of a Lambda version's Version)."""


def create_stack(cfn, name, template, parameters, timeout=600):
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template),
                     Parameters=[{"ParameterKey": k, "ParameterValue": str(v)} for k, v in parameters.items()],
                     Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
    deadline = time.time() + timeout
    while True:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        status = stack["StackStatus"]
        if status.endswith("_COMPLETE") and "ROLLBACK" not in status:
            return stack
        if "FAILED" in status or "ROLLBACK" in status or time.time() > deadline:
            events = cfn.describe_stack_events(StackName=name)["StackEvents"]
            reasons = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}" for e in events
                       if "FAILED" in e.get("ResourceStatus", "")]
            raise RuntimeError(f"stack {name} is {status}: " + "; ".join(reasons[:5]))
        time.sleep(0.5)


def outputs_of(stack):
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def create_by_api(emu_client, stack_name, lid, plan, props, region):
    """Create one resource the emulator's CloudFormation cannot, through its service API. Returns a note."""
    kind = plan["Type"]
    if kind == "AWS::CloudWatch::Alarm":
        name = f"{stack_name}-{lid}"
        # Stack outputs are strings: numbers chosen by Fn::If (e.g. EvaluationPeriods) come back as "2".
        for field in ("Period", "EvaluationPeriods", "DatapointsToAlarm"):
            if field in props:
                props[field] = int(props[field])
        if "Threshold" in props:
            props["Threshold"] = float(props["Threshold"])
        emu_client("cloudwatch", region).put_metric_alarm(AlarmName=name, **props)
        return f"alarm {name}"
    if kind == "AWS::Lambda::Alias":
        lam = emu_client("lambda", region)
        version = props.get("FunctionVersion")
        if not version or isinstance(version, Unresolved):
            versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=props["FunctionName"])["Versions"]
                        if v["Version"] != "$LATEST"]
            version = max(versions, key=int)
        lam.create_alias(FunctionName=props["FunctionName"], Name=props["Name"], FunctionVersion=str(version))
        return f"alias {props['FunctionName']}:{props['Name']} -> version {version}"
    if kind == "AWS::Lambda::EventInvokeConfig":
        emu_client("lambda", region).put_function_event_invoke_config(**props)
        return f"event invoke config of {props['FunctionName']}:{props['Qualifier']}"
    if kind == "AWS::Scheduler::Schedule":
        name = props.pop("Name", None) or f"{stack_name}-{lid}"[:64]
        emu_client("scheduler", region).create_schedule(Name=name, **props)
        return f"schedule {name}"
    if kind == "AWS::SQS::QueuePolicy":
        for url in props["Queues"]:
            emu_client("sqs", region).set_queue_attributes(
                QueueUrl=url, Attributes={"Policy": json.dumps(props["PolicyDocument"])})
        return "queue policy (stored; moto does not evaluate queue policies)"
    if kind == "AWS::SNS::Subscription":
        emu_client("sns", region).subscribe(TopicArn=props["TopicArn"], Protocol=props["Protocol"],
                                            Endpoint=props["Endpoint"])
        return f"{props['Protocol']} subscription"
    if kind == "AWS::CloudTrail::Trail":
        ct = emu_client("cloudtrail", region)
        ct.create_trail(Name=props["TrailName"], S3BucketName=props["S3BucketName"],
                        IsMultiRegionTrail=props.get("IsMultiRegionTrail", False),
                        IncludeGlobalServiceEvents=props.get("IncludeGlobalServiceEvents", True),
                        EnableLogFileValidation=props.get("EnableLogFileValidation", False))
        ct.put_event_selectors(TrailName=props["TrailName"], EventSelectors=props["EventSelectors"])
        if props.get("IsLogging"):
            ct.start_logging(Name=props["TrailName"])
        return f"trail {props['TrailName']}"
    if kind == "AWS::Events::Rule":
        name = rule_name(stack_name, lid)
        events = emu_client("events", region)
        events.put_rule(Name=name, EventPattern=json.dumps(props["EventPattern"]), State=props.get("State", "ENABLED"))
        events.put_targets(Rule=name, Targets=props["Targets"])
        return f"rule {name} ({props.get('State', 'ENABLED')}) -> {', '.join(t['Arn'] for t in props['Targets'])}"
    if kind == "AWS::Lambda::Permission":
        function, _, qualifier = props["FunctionName"].partition(":function:")[2].partition(":")
        args = {k: props[k] for k in ("Action", "Principal", "SourceArn", "SourceAccount") if k in props}
        emu_client("lambda", region).add_permission(FunctionName=function, StatementId=lid, **args,
                                                    **({"Qualifier": qualifier} if qualifier else {}))
        return f"permission for {props['Principal']} on {props['FunctionName']}"
    raise ValueError(f"no API creation for {kind}")
