#!/usr/bin/env python3
"""Reference decryptor for TaskMaster Backup data objects, independent of the backup software.

Reads one AWS Encryption SDK message (message format 2, algorithm suite 0x0478, framed, unsigned),
as docs/FORMAT.md describes it, frame by frame, and writes the plaintext: the zstd-compressed
pg_dump archive (or, with --decompress, the archive itself, through the zstd CLI).

  decrypt_backup.py --key-file backup.key --manifest manifest.json data.pgdump.zst.esdk dump.pgdump.zst
  decrypt_backup.py --kms --expect-context database=taskmaster --decompress - dump.pgdump < data.esdk

  decrypt_backup.py --kms --kms-key-arn arn:aws:kms:eu-west-1:111122223333:key/mrk-... --manifest m.json in out

Needs Python 3.8+ and `cryptography`; `boto3` only with --kms (KMS Decrypt is called in the region of the key
ARN used: the one in the message, or --kms-key-arn; honours AWS_ENDPOINT_URL and the usual AWS credentials).
Exit status 0 only if every check passed; otherwise one line on stderr says which check failed.
"""
import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import struct
import subprocess
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SUITE_ID = 0x0478                      # ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY, the only suite accepted
SUITE_NAME = "ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY"
LOCAL_PROVIDER = "taskmaster-backup-local"
KMS_PROVIDER = "aws-kms"
FINAL_FRAME_MARK = 0xFFFFFFFF          # sequence number end: the next frame is the final one
TAG, IV = 16, 12                       # AES-GCM tag and IV lengths, in bytes


class Fail(Exception):
    """A failed check: the message is the one line printed."""


class Reader:
    """Reads the stored object exactly, counting and hashing every byte (SHA-256 as in the manifest)."""

    def __init__(self, stream):
        self.stream, self.count, self.sha256 = stream, 0, hashlib.sha256()

    def take(self, n, what):
        data = b""
        while len(data) < n:
            chunk = self.stream.read(n - len(data))
            if not chunk:
                raise Fail("truncated: input ends in %s, after %d bytes" % (what, self.count + len(data)))
            data += chunk
        self.count += n
        self.sha256.update(data)
        return data

    def at_end(self):
        return self.stream.read(1) == b""


def u16(b):
    return struct.unpack(">H", b)[0]  # all integers are big-endian and unsigned


def u32(b):
    return struct.unpack(">I", b)[0]


def serialize_context(ctx):
    """Encryption context serialization: count, then (key, value) pairs sorted by key's UTF-8 bytes."""
    if not ctx:
        return b""
    items = sorted((k.encode("utf-8"), v.encode("utf-8")) for k, v in ctx.items())
    return struct.pack(">H", len(items)) + b"".join(
        struct.pack(">H", len(k)) + k + struct.pack(">H", len(v)) + v for k, v in items)


def parse_context(b):
    ctx, pos = {}, 2
    for _ in range(u16(b[:2]) if b else 0):
        k_len = u16(b[pos:pos + 2])
        v_len = u16(b[pos + 2 + k_len:pos + 4 + k_len])
        k, v = b[pos + 2:pos + 2 + k_len], b[pos + 4 + k_len:pos + 4 + k_len + v_len]
        pos += 4 + k_len + v_len
        if pos > len(b) or k.decode("utf-8") in ctx:
            raise Fail("malformed encryption context in the message header")
        ctx[k.decode("utf-8")] = v.decode("utf-8")
    if b and (not ctx or pos != len(b)):
        raise Fail("malformed encryption context in the message header")
    return ctx


def read_header(r):
    """Parses the header: its fields, the header body (all of it authenticated) and the header tag."""
    body = bytearray()

    def take(n):
        data = r.take(n, "the header")
        body.extend(data)
        return data

    def var():  # a UInt16 length, then that many bytes
        return take(u16(take(2)))

    version = take(1)[0]
    suite = u16(take(3)[1:] if version == 1 else take(2))  # version 1 has a type byte before the suite id
    if version != 2 or suite != SUITE_ID:
        raise Fail("refusing algorithm suite 0x%04x (message format %d): only 0x%04x (%s, format 2) is accepted"
                   % (suite, version, SUITE_ID, SUITE_NAME))
    h = {"message_id": take(32)}             # 256-bit message id: the HKDF salt and part of every frame's AAD
    h["context"] = parse_context(var())      # serialized encryption context, after its UInt16 length
    if u16(take(2)) != 1:
        raise Fail("expected exactly 1 encrypted data key")
    h["provider"], h["provider_info"], h["edk"] = var().decode("utf-8"), var(), var()
    if take(1) != b"\x02":
        raise Fail("content type is not framed (2)")
    h["frame_length"] = u32(take(4))
    if not 0 < h["frame_length"] <= 1 << 24:
        raise Fail("implausible frame length %d" % h["frame_length"])
    h["commitment"] = take(32)               # algorithm suite data: the key commitment
    h["body"] = bytes(body)
    h["tag"] = r.take(TAG, "the header")         # format 2 has no header IV: the IV is 12 zero bytes
    return h


def unwrap_local(h, key_file):
    key = open(key_file, "rb").read()
    if len(key) != 32:
        raise Fail("key file %s holds %d bytes; a local key is exactly 32 bytes" % (key_file, len(key)))
    name = ("local-" + hashlib.sha256(key).hexdigest()[:16]).encode("ascii")
    info = h["provider_info"]
    if h["provider"] != LOCAL_PROVIDER:
        raise Fail("data key is wrapped by provider '%s', not a local key file" % h["provider"])
    # Raw AES keyring provider info: key name || tag length in bits (u32) || IV length (u32) || IV.
    if info[:-20] != name:
        raise Fail("backup is encrypted under local key '%s', but the key file is '%s'"
                   % (info[:-20].decode("utf-8", "replace"), name.decode()))
    if u32(info[-20:-16]) != 128 or u32(info[-16:-12]) != IV or len(h["edk"]) != 32 + TAG:
        raise Fail("malformed local-key encrypted data key")
    try:  # ciphertext = encrypted key || tag; AAD = the serialized encryption context
        return AESGCM(key).decrypt(info[-12:], h["edk"], serialize_context(h["context"]))
    except InvalidTag:
        raise Fail("the key file cannot unwrap the data key (wrong key, or header tampered with)")


def mrk_match(a, b):
    """Multi-Region key match (the Encryption SDK's rule): the same ARN, or two ARNs of the same multi-Region key
    (key id mrk-...) that differ only in their region: a replica, whose key material is the primary's."""
    if a == b:
        return True
    pa, pb = a.split(":", 5), b.split(":", 5)
    if len(pa) != 6 or len(pb) != 6 or not pa[5].startswith("key/mrk-"):
        return False
    return pa[:3] + pa[4:] == pb[:3] + pb[4:]   # arn, partition, service, account, key/mrk-id; the region may differ


def unwrap_kms(h, key_arn=None):
    if h["provider"] != KMS_PROVIDER:
        raise Fail("data key is wrapped by provider '%s', not AWS KMS" % h["provider"])
    written = h["provider_info"].decode("utf-8")   # KMS provider info: the key ARN; the EDK is a KMS ciphertext blob
    arn = key_arn or written                       # --kms-key-arn: a multi-Region replica of that key, e.g. in the secondary region
    if not mrk_match(arn, written):
        raise Fail("--kms-key-arn %s is neither the backup's key %s nor a multi-Region replica of it" % (arn, written))
    import boto3                                   # only needed here
    region = arn.split(":")[3]                     # KMS Decrypt goes to the region of the key it names
    try:
        kms = boto3.client("kms", region_name=region, endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None)
        resp = kms.decrypt(CiphertextBlob=h["edk"], KeyId=arn, EncryptionContext=h["context"])
    except Exception as e:  # botocore's messages name the key and the error, never key material
        raise Fail("KMS Decrypt with key %s (region %s) failed: %s" % (arn, region, str(e).splitlines()[0]))
    if resp.get("KeyId") != arn or len(resp["Plaintext"]) != 32:
        raise Fail("KMS returned an unexpected key id or data key length")
    return resp["Plaintext"]


def derive(data_key, message_id):
    """HKDF-SHA512 (RFC 5869): one extract (salt = message id), two expands (32 bytes = one HMAC block)."""
    prk = hmac.new(message_id, data_key, hashlib.sha512).digest()
    enc_key = hmac.new(prk, struct.pack(">H", SUITE_ID) + b"DERIVEKEY" + b"\x01", hashlib.sha512).digest()[:32]
    commit = hmac.new(prk, b"COMMITKEY" + b"\x01", hashlib.sha512).digest()[:32]
    return enc_key, commit


def frames(r, gcm, h):
    """Yields plaintext frame by frame; sequence numbers must run 1, 2, 3... and end with a final frame."""
    seq = 0
    while True:
        seq += 1
        where = "frame %d (no final frame)" % seq
        first = u32(r.take(4, where))
        final = first == FINAL_FRAME_MARK
        number = u32(r.take(4, where)) if final else first
        iv = r.take(IV, where)
        length = u32(r.take(4, where)) if final else h["frame_length"]
        if number != seq:
            raise Fail("frame out of order: sequence number %d where %d was expected" % (number, seq))
        if iv != seq.to_bytes(IV, "big") or length > h["frame_length"]:
            raise Fail("malformed frame %d (IV or length)" % seq)
        content = r.take(length + TAG, where)
        # Body AAD: message id || content string || sequence number (u32) || plaintext length (u64).
        label = b"AWSKMSEncryptionClient Final Frame" if final else b"AWSKMSEncryptionClient Frame"
        aad = h["message_id"] + label + struct.pack(">IQ", seq, length)
        try:
            yield gcm.decrypt(iv, content, aad)
        except InvalidTag:
            raise Fail("frame %d failed authentication (corrupted or tampered with)" % seq)
        if final:
            return


def check_context(actual, expected, source):
    for k, v in expected.items():
        if actual.get(k) != v:
            raise Fail("encryption context mismatch for '%s': expected '%s' (%s), message has '%s'"
                       % (k, v, source, actual.get(k)))


BACKUP_ID = re.compile(r"^[0-9]{8}T[0-9]{6}Z-[a-z0-9-]+$")


def backup_id_of(manifest_path):
    """The backup id a manifest file is named by (manifests/<backupId>.json), or None."""
    name = os.path.basename(manifest_path)
    stem = name[:-len(".json")] if name.endswith(".json") else None
    return stem if stem and BACKUP_ID.match(stem) else None


def expected_context(manifest, backup_id):
    """FORMAT.md section 7: what the message's authenticated context must hold for this backup."""
    return {"purpose": "taskmaster-backup", "backupId": backup_id, "database": manifest["database"]["name"]}


def decrypt(args, src, sink):
    manifest = json.load(open(args.manifest)) if args.manifest else None
    r = Reader(src)
    h = read_header(r)
    data_key = unwrap_kms(h, args.kms_key_arn) if args.kms else unwrap_local(h, args.key_file)
    enc_key, commit = derive(data_key, h["message_id"])
    if not hmac.compare_digest(commit, h["commitment"]):
        raise Fail("key commitment mismatch: the data key does not belong to this message")
    gcm = AESGCM(enc_key)
    try:  # header authentication: empty plaintext, IV = 0, AAD = the whole header body
        gcm.decrypt(bytes(IV), h["tag"], h["body"])
    except InvalidTag:
        raise Fail("header authentication failed (header corrupted or tampered with)")
    expected = dict(kv.split("=", 1) for kv in args.expect_context)
    check_context(h["context"], expected, "--expect-context")
    if manifest:
        enc = manifest["encryption"]
        if h["context"] != enc["encryptionContext"]:
            raise Fail("encryption context %s differs from the manifest's %s" % (h["context"], enc["encryptionContext"]))
        # The manifest is not signed: the backup id that counts is the one you chose (its file name), not its content.
        chosen = args.backup_id or backup_id_of(args.manifest) or expected.get("backupId")
        if chosen is None:
            raise Fail("cannot tell which backup %s should be (not named <backupId>.json): give --backup-id ID"
                       " or --expect-context backupId=ID" % args.manifest)
        if manifest["backupId"] != chosen:
            raise Fail("manifest %s names backup '%s', not '%s'" % (args.manifest, manifest["backupId"], chosen))
        check_context(h["context"], expected_context(manifest, chosen), "manifest")
        key_id = (h["provider_info"] if args.kms else h["provider_info"][:-20]).decode("utf-8")
        if (enc["algorithm"], enc["frameSize"], enc["keyProvider"], enc["keyId"]) != (SUITE_NAME, h["frame_length"], h["provider"], key_id):
            raise Fail("message header (suite, frame size, key) does not match the manifest's encryption section")
    for chunk in frames(r, gcm, h):
        sink.write(chunk)
    if not r.at_end():
        raise Fail("trailing bytes after the final frame")
    if manifest:
        data = manifest["data"]
        if r.count != data["storedBytes"] or r.sha256.hexdigest() != data["sha256"]:
            raise Fail("stored object does not match the manifest: %d bytes, SHA-256 %s; manifest: %d bytes, SHA-256 %s"
                       % (r.count, r.sha256.hexdigest(), data["storedBytes"], data["sha256"]))
    return manifest


def main():
    p = argparse.ArgumentParser(description="Decrypt a TaskMaster backup data object (see docs/FORMAT.md).")
    key = p.add_mutually_exclusive_group(required=True)
    key.add_argument("--key-file", help="local 256-bit wrapping key (32 raw bytes)")
    key.add_argument("--kms", action="store_true", help="unwrap the data key with AWS KMS Decrypt")
    p.add_argument("--kms-key-arn", metavar="ARN", help="with --kms: decrypt with this multi-Region replica of the backup's "
                   "key (e.g. the secondary region's, when the primary region is down); KMS is called in its region")
    p.add_argument("--expect-context", action="append", default=[], metavar="K=V", help="required encryption context pair")
    p.add_argument("--manifest", help="the backup's manifest JSON, named <backupId>.json: checks context, key, size and SHA-256")
    p.add_argument("--backup-id", help="with --manifest: the backup you mean to restore (default: the manifest's file name)")
    p.add_argument("--decompress", action="store_true", help="pipe the plaintext through `zstd -d` (zstd CLI)")
    p.add_argument("input", help="encrypted data object, or - for stdin")
    p.add_argument("output", help="where to write the plaintext, or - for stdout")
    args = p.parse_args()
    if args.kms_key_arn and not args.kms:
        p.error("--kms-key-arn needs --kms")
    if any("=" not in kv for kv in args.expect_context):
        p.error("--expect-context takes KEY=VALUE")
    tmp = None if args.output == "-" else args.output + ".partial"
    zstd = None
    try:
        out = sys.stdout.buffer if tmp is None else open(tmp, "wb")
        if args.decompress:
            if not shutil.which("zstd"):
                raise Fail("--decompress needs the zstd command on PATH")
            zstd = subprocess.Popen(["zstd", "-d", "-q", "-c"], stdin=subprocess.PIPE, stdout=out)
        src = sys.stdin.buffer if args.input == "-" else open(args.input, "rb")
        manifest = decrypt(args, src, zstd.stdin if zstd else out)
        if zstd:
            zstd.stdin.close()
            if zstd.wait() != 0:
                raise Fail("zstd -d failed: the compressed stream is corrupt")
        out.flush()
        if zstd and manifest and tmp and os.path.getsize(tmp) != manifest["data"]["plainBytes"]:
            raise Fail("decompressed archive is %d bytes; manifest says %d" % (os.path.getsize(tmp), manifest["data"]["plainBytes"]))
        if tmp:
            out.close()
            os.replace(tmp, args.output)   # the output appears only when every check has passed
    except (Fail, OSError, ValueError, KeyError, struct.error) as e:
        if zstd:
            zstd.kill()
            if isinstance(e, BrokenPipeError):
                e = Fail("zstd -d failed: the compressed stream is corrupt")
        if tmp and os.path.exists(tmp):
            os.remove(tmp)
        kind = "" if isinstance(e, Fail) else "%s: " % type(e).__name__
        sys.stderr.write("decrypt_backup: FAILED: %s%s\n" % (kind, e))
        sys.exit(1)


if __name__ == "__main__":
    main()
