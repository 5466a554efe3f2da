#!/usr/bin/python3
"""An independent judge of cosign's key and tag-based signature formats, for regctl's tests.

Written from sigstore/cosign's specs/SIGNATURE_SPEC.md (tag-based discovery, the OCI image manifest object, the
simple-signing payload, ECDSA-P256 over SHA-256) and go-securesystemslib's encrypted-key format as cosign writes it
(PEM "ENCRYPTED SIGSTORE PRIVATE KEY" / "ENCRYPTED COSIGN PRIVATE KEY" around JSON: scrypt N=32768 r=8 p=1,
NaCl secretbox, PKCS#8 DER inside) -- not from regctl's TypeScript. Primitives: Debian's python3-cryptography (ECDSA
P-256, DER signatures, PEM/DER keys), python3-nacl (libsodium's secretbox) and hashlib.scrypt. The registry is spoken
to with plain HTTP (OCI distribution API), no registry client library.

Run with /usr/bin/python3 (Debian's, which has those packages). Commands:

  decrypt-key KEYFILE                 prints the public key (SPKI PEM) of cosign's encrypted KEYFILE; passphrase from
                                      $COSIGN_PASSWORD. Exit 4 on a wrong passphrase.
  generate-key PREFIX                 writes PREFIX.key (encrypted as cosign does) and PREFIX.pub.
  sign URL REPO REF KEYFILE [--digest D] [--tamper] [--reference R]
                                      signs the manifest REF of REPO at registry URL (http://host:port) in the tag-based
                                      form, appending a layer to sha256-<hex>.sig. --digest names another digest in
                                      the payload; --tamper uploads a payload changed after signing.
  verify URL REPO REF PUBFILE         one line per signature of REF's digest: "valid" or "invalid: why". Exit 0 when
                                      one is valid, 1 when none (2 when there is no .sig manifest).
"""
import base64
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.request

import nacl.exceptions
import nacl.secret
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json"
SIG_ANNOTATION = "dev.cosignproject.cosign/signature"
COSIGN_TYPE = "cosign container image signature"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
ACCEPT = ", ".join([
    OCI_MANIFEST,
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
])


# ---- keys -------------------------------------------------------------------------------------------------------

def pem_block(text):
    m = re.search(r"-----BEGIN ([A-Z0-9 ]+)-----\s*(.*?)\s*-----END \1-----", text, re.S)
    if not m:
        raise SystemExit("judge: not a PEM file")
    return m.group(1), base64.b64decode("".join(m.group(2).split()))


def decrypt_key(path, passphrase):
    label, body = pem_block(open(path).read())
    if label not in ("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY"):
        raise SystemExit("judge: not a cosign encrypted key: " + label)
    doc = json.loads(body)
    assert doc["kdf"]["name"] == "scrypt", doc["kdf"]["name"]
    assert doc["cipher"]["name"] == "nacl/secretbox", doc["cipher"]["name"]
    params = doc["kdf"]["params"]
    n, r, p = params["N"], params["r"], params["p"]
    secret = hashlib.scrypt(passphrase, salt=base64.b64decode(doc["kdf"]["salt"]), n=n, r=r, p=p,
                            maxmem=256 * 1024 * 1024, dklen=32)
    box = nacl.secret.SecretBox(secret)
    try:
        der = box.decrypt(base64.b64decode(doc["ciphertext"]), base64.b64decode(doc["cipher"]["nonce"]))
    except nacl.exceptions.CryptoError:
        sys.stderr.write("judge: wrong passphrase\n")
        sys.exit(4)
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise SystemExit("judge: not an ECDSA P-256 key")
    return key


def generate_key(prefix, passphrase):
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    salt = os.urandom(32)
    secret = hashlib.scrypt(passphrase, salt=salt, n=32768, r=8, p=1, maxmem=256 * 1024 * 1024, dklen=32)
    nonce = os.urandom(24)
    ciphertext = nacl.secret.SecretBox(secret).encrypt(der, nonce).ciphertext
    doc = {
        "kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1}, "salt": base64.b64encode(salt).decode()},
        "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
        "ciphertext": base64.b64encode(ciphertext).decode(),
    }
    b64 = base64.b64encode(json.dumps(doc).encode()).decode()
    lines = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
    with open(prefix + ".key", "w") as f:
        f.write("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n" + lines + "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
    with open(prefix + ".pub", "wb") as f:
        f.write(public_pem(key.public_key()))


def public_pem(pub):
    return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


# ---- registry (plain HTTP, OCI distribution API) ----------------------------------------------------------------

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only: no proxy from the environment


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with OPENER.open(req) as res:
            return res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def get_manifest(base, repo, ref):
    status, headers, body = http("GET", f"{base}/v2/{repo}/manifests/{ref}", headers={"Accept": ACCEPT})
    if status == 404:
        return None
    if status != 200:
        raise SystemExit(f"judge: GET manifest {ref}: {status}")
    return headers.get("Content-Type"), body


def get_blob(base, repo, desc):
    status, _, body = http("GET", f"{base}/v2/{repo}/blobs/{desc['digest']}")
    if status != 200:
        raise SystemExit(f"judge: GET blob {desc['digest']}: {status}")
    return body


def put_blob(base, repo, data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    status, headers, _ = http("POST", f"{base}/v2/{repo}/blobs/uploads/")
    if status != 202:
        raise SystemExit(f"judge: start upload: {status}")
    location = headers["Location"]
    if location.startswith("/"):
        location = base + location
    sep = "&" if "?" in location else "?"
    status, _, body = http("PUT", f"{location}{sep}digest={digest}", body=data,
                           headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(data))})
    if status != 201:
        raise SystemExit(f"judge: finish upload: {status} {body!r}")
    return digest


def sig_tag(digest):
    return digest.replace(":", "-") + ".sig"


# ---- sign / verify (SIGNATURE_SPEC.md) --------------------------------------------------------------------------

def sign(base, repo, ref, keyfile, passphrase, other_digest=None, tamper=False, reference=None):
    key = decrypt_key(keyfile, passphrase)
    found = get_manifest(base, repo, ref)
    if not found:
        raise SystemExit(f"judge: {repo}:{ref} not found")
    digest = "sha256:" + hashlib.sha256(found[1]).hexdigest()
    host = base.split("://", 1)[1]
    payload = json.dumps({
        "critical": {
            "identity": {"docker-reference": reference or f"{host}/{repo}"},
            "image": {"docker-manifest-digest": other_digest or digest},
            "type": COSIGN_TYPE,
        },
        "optional": {"judge": "python"},
    }).encode()
    signature = key.sign(payload, ec.ECDSA(hashes.SHA256()))  # ASN.1 DER, as cosign writes it
    if tamper:
        payload = payload.replace(b'"judge": "python"', b'"judge": "tampered"')
    put_blob(base, repo, payload)
    layer = {
        "mediaType": SIMPLE_SIGNING,
        "size": len(payload),
        "digest": "sha256:" + hashlib.sha256(payload).hexdigest(),
        "annotations": {SIG_ANNOTATION: base64.b64encode(signature).decode()},
    }
    layers = []
    existing = get_manifest(base, repo, sig_tag(digest))
    if existing:
        layers = json.loads(existing[1])["layers"]
    layers.append(layer)
    config = json.dumps({"architecture": "", "os": "", "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]},
                         "config": {}}).encode()
    put_blob(base, repo, config)
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "size": len(config), "digest": "sha256:" + hashlib.sha256(config).hexdigest()},
        "layers": layers,
    }).encode()
    status, _, body = http("PUT", f"{base}/v2/{repo}/manifests/{sig_tag(digest)}", body=manifest,
                           headers={"Content-Type": OCI_MANIFEST})
    if status != 201:
        raise SystemExit(f"judge: PUT signature manifest: {status} {body!r}")
    print(f"signed {digest} in {sig_tag(digest)} ({len(layers)} signatures)")


def verify(base, repo, ref, pubfile):
    pub = serialization.load_pem_public_key(open(pubfile, "rb").read())
    found = get_manifest(base, repo, ref)
    if not found:
        raise SystemExit(f"judge: {repo}:{ref} not found")
    digest = "sha256:" + hashlib.sha256(found[1]).hexdigest()
    sig = get_manifest(base, repo, sig_tag(digest))
    if not sig:
        print("no signature")
        return 2
    valid = 0
    for i, layer in enumerate(json.loads(sig[1])["layers"]):
        why = judge_layer(base, repo, layer, digest, pub)
        print(f"{i} valid" if why is None else f"{i} invalid: {why}")
        valid += why is None
    return 0 if valid else 1


def judge_layer(base, repo, layer, digest, pub):
    if layer.get("mediaType") != SIMPLE_SIGNING:
        return "not a simple-signing layer"
    payload = get_blob(base, repo, layer)
    if "sha256:" + hashlib.sha256(payload).hexdigest() != layer["digest"]:
        return "payload does not match its digest"
    try:
        pub.verify(base64.b64decode(layer["annotations"][SIG_ANNOTATION]), payload, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, KeyError, ValueError):
        return "signature does not verify with the key"
    doc = json.loads(payload)
    if doc["critical"]["type"] != COSIGN_TYPE:
        return "wrong type"
    if doc["critical"]["image"]["docker-manifest-digest"] != digest:
        return "signs another digest: " + doc["critical"]["image"]["docker-manifest-digest"]
    return None


def main(argv):
    passphrase = os.environ.get("COSIGN_PASSWORD", "").encode()
    cmd = argv[0] if argv else ""
    if cmd == "decrypt-key":
        sys.stdout.write(public_pem(decrypt_key(argv[1], passphrase).public_key()).decode())
        return 0
    if cmd == "generate-key":
        generate_key(argv[1], passphrase)
        return 0
    if cmd == "sign":
        base, repo, ref, keyfile = argv[1:5]
        opts = argv[5:]
        other = opts[opts.index("--digest") + 1] if "--digest" in opts else None
        reference = opts[opts.index("--reference") + 1] if "--reference" in opts else None
        sign(base, repo, ref, keyfile, passphrase, other, "--tamper" in opts, reference)
        return 0
    if cmd == "verify":
        return verify(*argv[1:5])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
