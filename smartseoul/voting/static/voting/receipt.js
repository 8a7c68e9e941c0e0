/* The receipt page: checks a pasted or reopened receipt with tlog.js, then fetches the newest
   checkpoint and a consistency proof and checks those too. Something that is not a receipt
   (not JSON, or JSON without a receipt's fields) is said to be so: it is not a failed proof. */
(function () {
  "use strict";
  const form = document.getElementById("receipt-form");
  if (!form) return;
  const api = form.dataset.api;
  const publishedKey = form.dataset.key;
  const box = document.getElementById("receipt-json");
  const list = document.getElementById("checks");
  const verdict = document.getElementById("verdict");
  const t = JSON.parse(document.getElementById("i18n").textContent);
  const T = window.TLog;
  const HEX64 = /^[0-9a-f]{64}$/i;

  function fill(text, n) { return text.replace("%(n)s", String(n)); }

  /* One line per check; technical details (key names, what a failed proof says) are shown
     verbatim in <code>, the rest in the reader's language. */
  function item(label, ok, detail, verbatim) {
    const li = document.createElement("li");
    li.className = ok ? "check ok" : "check fail";
    li.dataset.ok = ok ? "1" : "0";
    const svgNS = "http://www.w3.org/2000/svg";
    const icon = document.createElementNS(svgNS, "svg");
    icon.setAttribute("class", "icon");
    icon.setAttribute("role", "img");
    icon.setAttribute("aria-label", ok ? t.ok : t.failed);
    const use = document.createElementNS(svgNS, "use");
    use.setAttribute("href", form.dataset.icons + (ok ? "#check" : "#close"));
    icon.appendChild(use);
    li.appendChild(icon);
    li.appendChild(document.createTextNode(" " + label + (detail ? " — " : "")));
    if (detail) {
      const part = document.createElement(verbatim ? "code" : "span");
      part.textContent = detail;
      li.appendChild(part);
    }
    list.appendChild(li);
  }

  async function step(label, fn, verbatim) {
    try { const detail = await fn(); item(label, true, detail || t.ok, verbatim && !!detail); return true; }
    catch (e) { item(label, false, String(e.message || e), true); return false; }
  }

  async function getJSON(url) {
    const r = await fetch(url, { headers: { Accept: "application/json" } });
    if (!r.ok) throw new Error(url + " → HTTP " + r.status);
    return r.json();
  }

  /* The fields every receipt carries, with their types: anything else is not a receipt. */
  function asReceipt(text) {
    let rc;
    try { rc = JSON.parse(text); } catch (e) { return null; }
    if (!rc || typeof rc !== "object" || Array.isArray(rc)) return null;
    const ints = ["vote_id", "leaf_index", "tree_size"];
    const strings = ["tracker", "leaf", "checkpoint", "origin", "verifier_key"];
    if (!ints.every((k) => Number.isInteger(rc[k]) && rc[k] >= 0)) return null;
    if (!strings.every((k) => typeof rc[k] === "string" && rc[k].length)) return null;
    if (!Array.isArray(rc.inclusion_proof) || !rc.inclusion_proof.every((h) => typeof h === "string" && HEX64.test(h))) return null;
    if (rc.leaf_hash !== undefined && !(typeof rc.leaf_hash === "string" && HEX64.test(rc.leaf_hash))) return null;
    try { JSON.parse(rc.leaf); } catch (e) { return null; }
    return rc;
  }

  async function verify() {
    list.textContent = ""; verdict.textContent = ""; verdict.className = "";
    delete form.dataset.newerSize;
    if (!box.value.trim()) return say("empty", t.empty, "msg");
    const rc = asReceipt(box.value);
    if (!rc) return say("not-receipt", t.not_receipt, "msg error");
    item(t.json, true, t.ok);
    let ok = true, cp, leafHash;
    ok = (await step(t.leaf, async () => {
      leafHash = await T.leafHash(T.enc.encode(rc.leaf));
      // the leaf hash is derived from the leaf; a receipt that names one must name this one
      if (rc.leaf_hash !== undefined && T.hex(leafHash) !== rc.leaf_hash.toLowerCase()) throw new Error("the leaf's hash differs from the receipt");
      const entry = JSON.parse(rc.leaf);
      if (entry.seq !== rc.leaf_index || entry.vote !== rc.vote_id) throw new Error("leaf position or vote differ");
      return "#" + rc.leaf_index;
    })) && ok;
    ok = (await step(t.key, async () => {
      if (publishedKey && rc.verifier_key !== publishedKey) throw new Error("the receipt names another key than this city's log");
      return rc.verifier_key.split("+")[0];
    }, true)) && ok;
    ok = (await step(t.signature, async () => {
      cp = await T.verifyCheckpoint(rc.checkpoint, rc.verifier_key, rc.origin);
      if (cp.size !== rc.tree_size) throw new Error("checkpoint size differs from the receipt");
      return fill(t.size, cp.size);
    })) && ok;
    if (!cp || !leafHash) return done(false);
    ok = (await step(t.inclusion, async () => {
      await T.verifyInclusion(leafHash, rc.leaf_index, rc.tree_size, rc.inclusion_proof.map(T.unhex), cp.root);
    })) && ok;
    ok = (await step(t.newer, async () => {
      const fresh = await getJSON(api + "/receipts/" + encodeURIComponent(rc.tracker));
      const newer = await T.verifyCheckpoint(fresh.checkpoint, rc.verifier_key, rc.origin);
      if (newer.size < cp.size) throw new Error("the newest checkpoint is older than the receipt");
      if (newer.size > cp.size) {
        const cons = await getJSON(api + "/votes/" + rc.vote_id + "/log/proof/consistency?first=" + cp.size + "&second=" + newer.size);
        await T.verifyConsistency(cp.size, newer.size, cons.proof.map(T.unhex), cp.root, newer.root);
      } else if (T.hex(newer.root) !== T.hex(cp.root)) {
        throw new Error("two different roots for the same size");
      }
      await T.verifyInclusion(leafHash, rc.leaf_index, newer.size, fresh.inclusion_proof.map(T.unhex), newer.root);
      form.dataset.newerSize = String(newer.size);
      return fill(t.size, newer.size) + (newer.size > cp.size ? " (" + t.consistent + ")" : "") +
        (fresh.current === false ? " — " + fill(t.superseded, fresh.superseded_by) : "");
    })) && ok;
    done(ok);
  }

  function say(kind, text, cls) {
    verdict.textContent = text;
    verdict.className = cls;
    verdict.dataset.ok = kind === "ok" ? "1" : "0";
    verdict.dataset.verdict = kind;
  }

  function done(ok) { say(ok ? "ok" : "bad", ok ? t.all : t.bad, ok ? "msg success" : "msg error"); }

  document.getElementById("verify").addEventListener("click", verify);
  document.getElementById("download").addEventListener("click", function () {
    const blob = new Blob([box.value], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    const rc = asReceipt(box.value);
    a.download = rc ? "receipt-" + rc.tracker + ".json" : "receipt.json";
    a.click();
  });
  if (box.value.trim()) verify();
})();
