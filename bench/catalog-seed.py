#!/usr/bin/env python3
"""Seed an S3 (moto) repository with N manifests for bench/catalog-bench.sh.

    catalog-seed.py ENDPOINT BUCKET PREFIX N FORMAT_MD [--index]

Each manifest is the example of docs/FORMAT.md (the first ```json block holding "formatVersion"), renamed: hourly
backups back from the current hour, with their backupId, startedAt/finishedAt, data key and encryption context's
backupId changed. No data objects: list, prune's plan and verify's plan read manifests only.

With --index, also a catalog index of them as docs/FORMAT.md section 13 defines it (what backup writes after its
commit; written here because the bench has no database to back up): each entry from the listing's size,
LastModified and ETag and the bytes put.
"""
import datetime
import hashlib
import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3

endpoint, bucket, prefix, n, format_md = sys.argv[1], sys.argv[2], sys.argv[3].strip("/"), int(sys.argv[4]), sys.argv[5]
with_index = sys.argv[6:] == ["--index"]
bodies = {}
text = open(format_md, encoding="utf-8").read()
example = next(json.loads(b) for b in re.findall(r"```json\n(.*?)```", text, re.S) if '"formatVersion"' in b)
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
s3.create_bucket(Bucket=bucket)
hour = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)


def put(i):
    t = hour - datetime.timedelta(hours=i + 1)
    bid = t.strftime("%Y%m%dT%H%M%SZ") + "-hourly"
    m = json.loads(json.dumps(example))
    m["backupId"] = bid
    m["startedAt"] = t.strftime("%Y-%m-%dT%H:%M:%S.000000000Z")
    m["finishedAt"] = (t + datetime.timedelta(seconds=40)).strftime("%Y-%m-%dT%H:%M:%S.000000000Z")
    m["data"]["key"] = "data/%s.a1.pgdump.zst.esdk" % bid
    m["encryption"]["encryptionContext"]["backupId"] = bid
    m["trigger"] = {"type": "scheduled", "schedule": "hourly", "scheduledTime": t.strftime("%Y-%m-%dT%H:%M:%SZ")}
    body = json.dumps(m, indent=2).encode()
    bodies["manifests/%s.json" % bid] = body
    s3.put_object(Bucket=bucket, Key="%s/manifests/%s.json" % (prefix, bid), Body=body)


with ThreadPoolExecutor(8) as pool:
    list(pool.map(put, range(n)))

if with_index:
    entries = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/manifests/"):
        for o in page.get("Contents", []):
            key = o["Key"][len(prefix) + 1:]
            body = bodies[key]
            entries.append({"key": key, "size": o["Size"], "etag": o["ETag"],
                            "lastModified": o["LastModified"].astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                            "sha256": hashlib.sha256(body).hexdigest(), "manifest": body.decode("utf-8")})
    now = datetime.datetime.now(datetime.timezone.utc)
    index = {"formatVersion": 1, "writtenAt": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "entries": sorted(entries, key=lambda e: e["key"])}
    s3.put_object(Bucket=bucket, Key="%s/manifests/index-%s%03dZ-bench.json" % (prefix, now.strftime("%Y%m%dT%H%M%S"), now.microsecond // 1000),
                  Body=json.dumps(index).encode())
print(n)
