/* The receipt page: checks a pasted receipt with tlog.js, then fetches the newest checkpoint
   and a consistency proof and checks those too. */
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

  function item(label, ok, detail) {
    const li = document.createElement("li");
    li.className = ok ? "check ok" : "check fail";
    li.dataset.ok = ok ? "1" : "0";
    li.textContent = (ok ? "✓ " : "✗ ") + label + (detail ? " — " + detail : "");
    list.appendChild(li);
  }

  async function step(label, fn) {
    try { const detail = await fn(); item(label, true, detail || t.ok); return true; }
    catch (e) { item(label, false, String(e.message || e)); return false; }
  }

  async function getJSON(url) {
    const r = await fetch(url, { headers: { Accept: "application/json" } });
    if (!r.ok) throw new Error(url + " → HTTP " + r.status);
    return r.json();
  }

  async function verify() {
    list.textContent = ""; verdict.textContent = ""; verdict.className = "";
    let rc;
    if (!(await step("JSON", async () => { rc = JSON.parse(box.value); }))) return done(false);
    let ok = true, cp, leafHash;
    ok = (await step("leaf hash", async () => {
      leafHash = await T.leafHash(T.enc.encode(rc.leaf));
      if (T.hex(leafHash) !== rc.leaf_hash) throw new Error("the leaf's hash differs from the receipt");
      const entry = JSON.parse(rc.leaf);
      if (entry.seq !== rc.leaf_index || entry.vote !== rc.vote_id) throw new Error("leaf position or vote differ");
      return "#" + rc.leaf_index;
    })) && ok;
    ok = (await step("log key", async () => {
      if (publishedKey && rc.verifier_key !== publishedKey) throw new Error("the receipt names another key than this city's log");
      return rc.verifier_key.split("+")[0];
    })) && ok;
    ok = (await step("checkpoint signature", async () => {
      cp = await T.verifyCheckpoint(rc.checkpoint, rc.verifier_key, rc.origin);
      if (cp.size !== rc.tree_size) throw new Error("checkpoint size differs from the receipt");
      return "size " + cp.size;
    })) && ok;
    if (!cp || !leafHash) return done(false);
    ok = (await step("inclusion proof", async () => {
      await T.verifyInclusion(leafHash, rc.leaf_index, rc.tree_size, rc.inclusion_proof.map(T.unhex), cp.root);
    })) && ok;
    ok = (await step("newer checkpoint", async () => {
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
      return "size " + newer.size + (newer.size > cp.size ? " (consistent)" : "") + (fresh.current === false ? " — superseded by leaf " + fresh.superseded_by : "");
    })) && ok;
    done(ok);
  }

  function done(ok) {
    verdict.textContent = ok ? t.all : t.bad;
    verdict.className = ok ? "msg success" : "msg error";
    verdict.dataset.ok = ok ? "1" : "0";
  }

  document.getElementById("verify").addEventListener("click", verify);
  document.getElementById("download").addEventListener("click", function () {
    const blob = new Blob([box.value], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    try { a.download = "receipt-" + JSON.parse(box.value).tracker + ".json"; } catch (e) { a.download = "receipt.json"; }
    a.click();
  });
  if (box.value.trim()) verify();
})();
