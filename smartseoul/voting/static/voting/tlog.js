/* Transparency-log verification in the browser (RFC 6962/9162 proofs, C2SP signed notes,
   Ed25519) with WebCrypto only: nothing here trusts the server's verdict. */
(function (global) {
  "use strict";
  const enc = new TextEncoder();

  function hex(bytes) { return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""); }
  function unhex(s) {
    if (typeof s !== "string" || s.length % 2 || /[^0-9a-f]/i.test(s)) throw new Error("bad hex");
    const out = new Uint8Array(s.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
    return out;
  }
  function b64(s) {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function b64enc(bytes) { return btoa(String.fromCharCode.apply(null, Array.from(bytes))); }
  function concat() {
    const parts = Array.from(arguments);
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
  const leafHash = (data) => sha256(concat(new Uint8Array([0]), data));
  const nodeHash = (l, r) => sha256(concat(new Uint8Array([1]), l, r));
  function check32(h, what) { if (!(h instanceof Uint8Array) || h.length !== 32) throw new Error(what + " must be 32 bytes"); }

  // RFC 9162 §2.1.3.2
  async function verifyInclusion(leaf, index, size, proof, root) {
    check32(leaf, "leaf hash"); check32(root, "root"); proof.forEach((p) => check32(p, "proof hash"));
    if (!(index >= 0 && index < size)) throw new Error("leaf index outside the tree");
    let fn = index, sn = size - 1, r = leaf;
    for (const p of proof) {
      if (sn === 0) throw new Error("inclusion proof too long");
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if (fn % 2 === 0) { while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("inclusion proof too short");
    if (!equal(r, root)) throw new Error("inclusion proof does not lead to the root");
  }

  // RFC 9162 §2.1.4.2
  async function verifyConsistency(size1, size2, proof, root1, root2) {
    check32(root1, "first root"); check32(root2, "second root"); proof.forEach((p) => check32(p, "proof hash"));
    if (size1 > size2) throw new Error("first size larger than second");
    if (size1 === 0) throw new Error("no consistency proof from an empty tree");
    if (size1 === size2) {
      if (proof.length) throw new Error("proof must be empty for equal sizes");
      if (!equal(root1, root2)) throw new Error("roots of the same size differ");
      return;
    }
    if (!proof.length) throw new Error("empty consistency proof");
    const path = proof.slice();
    if ((size1 & (size1 - 1)) === 0) path.unshift(root1);
    let fn = size1 - 1, sn = size2 - 1;
    while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    let fr = path[0], sr = path[0];
    for (const c of path.slice(1)) {
      if (sn === 0) throw new Error("consistency proof too long");
      if (fn % 2 === 1 || fn === sn) {
        fr = await nodeHash(c, fr); sr = await nodeHash(c, sr);
        if (fn % 2 === 0) { while (fn !== 0 && fn % 2 === 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } }
      } else {
        sr = await nodeHash(sr, c);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    if (sn !== 0) throw new Error("consistency proof too short");
    if (!equal(fr, root1)) throw new Error("consistency proof does not match the first root");
    if (!equal(sr, root2)) throw new Error("consistency proof does not match the second root");
  }

  function parseVerifierKey(s) {
    const first = s.indexOf("+"), second = s.indexOf("+", first + 1);
    if (first < 0 || second < 0) throw new Error("bad verifier key");
    const name = s.slice(0, first), id = unhex(s.slice(first + 1, second)), raw = b64(s.slice(second + 1).trim());
    if (id.length !== 4 || raw.length !== 33 || raw[0] !== 1) throw new Error("not an Ed25519 verifier key");
    return { name: name, id: id, pub: raw.slice(1) };
  }

  async function keyId(name, pub) { return (await sha256(concat(enc.encode(name + "\n"), new Uint8Array([1]), pub))).slice(0, 4); }

  // C2SP signed note + tlog-checkpoint
  async function verifyCheckpoint(note, verifierKey, origin) {
    if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(note)) throw new Error("control characters in the note");
    const cut = note.lastIndexOf("\n\n");
    if (cut < 0) throw new Error("no signature block");
    const text = note.slice(0, cut + 1), sigs = note.slice(cut + 2).split("\n").filter((l) => l.length);
    const key = parseVerifierKey(verifierKey);
    if (!equal(await keyId(key.name, key.pub), key.id)) throw new Error("verifier key id does not match");
    const cryptoKey = await crypto.subtle.importKey("raw", key.pub, { name: "Ed25519" }, false, ["verify"]);
    let verified = 0;
    for (const line of sigs) {
      if (!line.startsWith("\u2014 ")) throw new Error("bad signature line");
      const parts = line.slice(2).split(" ");
      const raw = b64(parts[1]);
      if (parts[0] !== key.name || !equal(raw.slice(0, 4), key.id)) continue;  // a witness or unknown key
      const ok = await crypto.subtle.verify({ name: "Ed25519" }, cryptoKey, raw.slice(4), enc.encode(text));
      if (!ok) throw new Error("the log's signature does not verify");
      verified++;
    }
    if (!verified) throw new Error("the log did not sign this checkpoint");
    const lines = text.split("\n");
    if (lines.length < 4) throw new Error("a checkpoint has three lines");
    if (origin && lines[0] !== origin) throw new Error("checkpoint for another log: " + lines[0]);
    if (!/^(0|[1-9][0-9]*)$/.test(lines[1])) throw new Error("bad tree size");
    const root = b64(lines[2]);
    check32(root, "root");
    return { origin: lines[0], size: Number(lines[1]), root: root };
  }

  global.TLog = { hex, unhex, b64, b64enc, sha256, leafHash, nodeHash, verifyInclusion, verifyConsistency,
                  verifyCheckpoint, parseVerifierKey, enc };
})(window);
