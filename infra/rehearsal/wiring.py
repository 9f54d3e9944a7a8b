"""Alarm wiring: the metrics the created alarms and dashboard watch (read back from the emulator, not from the template
text) against the EMF documents the handlers printed."""
import json


def emitted(emf_documents):
    """{(namespace, metric): set of frozenset(dimension name=value)} from EMF documents."""
    seen = {}
    for doc in emf_documents:
        for directive in doc["_aws"].get("CloudWatchMetrics", []):
            namespace = directive["Namespace"]
            for dims in directive.get("Dimensions", [[]]):
                values = frozenset((d, str(doc.get(d))) for d in dims)
                for metric in directive.get("Metrics", []):
                    seen.setdefault((namespace, metric["Name"]), set()).add(values)
    return seen


def watched(emu, stack_name, dashboard_name):
    """[(source, namespace, metric, frozenset(dimension name=value))] of our own (non-AWS/*) namespaces."""
    out = []
    cw = emu.client("cloudwatch")
    for alarm in cw.describe_alarms(AlarmNamePrefix=stack_name)["MetricAlarms"]:
        if not alarm["Namespace"].startswith("AWS/"):
            dims = frozenset((d["Name"], d["Value"]) for d in alarm.get("Dimensions", []))
            out.append((f"alarm {alarm['AlarmName']}", alarm["Namespace"], alarm["MetricName"], dims))
    body = json.loads(cw.get_dashboard(DashboardName=dashboard_name)["DashboardBody"])
    for widget in body["widgets"]:
        for line in widget.get("properties", {}).get("metrics", []):
            names = [x for x in line if isinstance(x, str)]
            if names and not names[0].startswith("AWS/"):
                dims = frozenset(zip(names[2::2], names[3::2]))
                out.append((f"dashboard \"{widget['properties'].get('title')}\"", names[0], names[1], dims))
    return out


def check(emu, stack_name, dashboard_name, emf_documents):
    """(lines to print, problems). A watched metric never emitted with those dimensions is a problem when the
    metric was emitted at all (with other dimension values); one never emitted in the rehearsal is reported."""
    seen = emitted(emf_documents)
    lines, problems = [], []
    for source, namespace, metric, dims in watched(emu, stack_name, dashboard_name):
        label = f"{namespace}/{metric} {dict(sorted(dims))}"
        if (namespace, metric) not in seen:
            lines.append(f"  not emitted in this rehearsal: {label} ({source})")
        elif dims in seen[(namespace, metric)]:
            lines.append(f"  ok: {label} ({source})")
        else:
            found = [dict(sorted(d)) for d in seen[(namespace, metric)]]
            problems.append(f"{source} watches {label}, the handlers emitted it with {found}")
    return lines, problems
