// The service's page: submit a document (or files as a batch job) and show the report with
// ExtractView (view.js). Talks only to this service's own API.
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var view = $("view");
  var files = [];      // [{name, text}] in the order chosen: the batch job's documents
  var pollTimer = null;

  function setStatus(msg, isError) {
    $("status").textContent = msg;
    $("status").className = isError ? "error" : "";
  }

  function headers() {
    var h = {"Content-Type": "application/json"};
    var key = $("apikey").value || sessionStorage.getItem("extract-api-key") || "";
    if (key) h["X-API-Key"] = key;
    return h;
  }

  function api(method, path, body) {
    return fetch(path, {method: method, headers: headers(), body: body === undefined ? undefined : JSON.stringify(body)})
      .then(function (resp) {
        return resp.json().catch(function () { return {}; }).then(function (data) {
          if (resp.status === 401) {
            $("keybox").hidden = false;
            $("apikey").focus();
          }
          if (!resp.ok) {
            var e = (data && data.error) || {};
            throw new Error((e.code ? e.code + ": " : "") + (e.message || "HTTP " + resp.status));
          }
          return data;
        });
      });
  }

  $("apikey").addEventListener("change", function () { sessionStorage.setItem("extract-api-key", $("apikey").value); });

  // ---------------------------------------------------------------- schemas and strategies
  api("GET", "/v1/schemas").then(function (data) {
    data.schemas.forEach(function (s, i) {
      var o = document.createElement("option");
      o.value = s.name;
      o.textContent = s.name + " v" + s.version;
      $("schema").appendChild(o);
    });
    data.strategies.forEach(function (s) {
      var o = document.createElement("option");
      o.value = s;
      o.textContent = s;
      $("strategy").appendChild(o);
    });
    // The service's default schema is the one a request without "schema" gets: leave it
    // unnamed unless the user picks another.
    var blank = document.createElement("option");
    blank.value = "";
    blank.textContent = "service default";
    $("schema").insertBefore(blank, $("schema").firstChild);
    $("schema").value = "";
  }).catch(function (e) { setStatus("Could not list schemas: " + e.message, true); });

  function choice() {
    var body = {options: {cache: $("cache").checked}};
    if ($("schema").value) body.schema = $("schema").value;
    if ($("strategy").value) body.strategy = $("strategy").value;
    return body;
  }

  // ---------------------------------------------------------------- files
  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () {
        var bytes = new Uint8Array(r.result), bin = "";
        for (var i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
        api("POST", "/v1/read", {name: file.name, data_base64: btoa(bin)}).then(function (d) { resolve(d.text); }, reject);
      };
      r.onerror = function () { reject(new Error("cannot read " + file.name)); };
      r.readAsArrayBuffer(file);
    });
  }

  $("files").addEventListener("change", function () {
    var chosen = Array.prototype.slice.call($("files").files);
    files = [];
    $("batch").disabled = true;
    if (!chosen.length) return;
    setStatus("Reading " + chosen.length + " file(s)…");
    // Read in parallel, kept in the order chosen (not the order the reads finish).
    Promise.all(chosen.map(function (f) {
      return readFile(f).then(function (t) { return {name: f.name, text: t}; }, function (e) { throw new Error(f.name + ": " + e.message); });
    })).then(function (read) {
      files = read;
      if (read.length === 1) $("text").value = read[0].text;
      $("batch").disabled = read.length < 2;
      setStatus(read.length === 1 ? "Read " + read[0].name + "." : "Read " + read.length + " files: run them as a batch job.");
    }, function (e) { setStatus(e.message, true); });
  });

  // ---------------------------------------------------------------- one document
  $("form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("text").value;
    if (!text.trim()) { setStatus("Paste an article or choose a file first.", true); return; }
    var body = choice();
    body.text = text;
    $("submit").disabled = true;
    setStatus("Extracting…");
    var started = performance.now();
    api("POST", "/v1/extract", body).then(function (data) {
      ExtractView.render(view, {text: text, report: data.report, meta: data.meta});
      var n = view.querySelectorAll("tr[data-row]").length;
      setStatus(n + " facts in " + ((performance.now() - started) / 1000).toFixed(1) + " s" + (data.meta.cached ? " (cached)" : "") + ".");
    }, function (e) { setStatus(e.message, true); }).then(function () { $("submit").disabled = false; });
  });

  // ---------------------------------------------------------------- batch jobs
  $("batch").addEventListener("click", function () {
    if (files.length < 2) return;
    var body = choice();
    body.documents = files.map(function (f) { return {id: f.name.replace(/\.[^.]*$/, "") || f.name, text: f.text}; });
    setStatus("Submitting a job of " + files.length + " documents…");
    api("POST", "/v1/jobs", body).then(function (job) {
      location.hash = "job=" + job.id;
      setStatus("Job queued.");
    }, function (e) { setStatus(e.message, true); });
  });

  function showJobDocument(jobId, index) {
    api("GET", "/v1/jobs/" + encodeURIComponent(jobId) + "/documents/" + index).then(function (d) {
      Array.prototype.forEach.call($("job-docs").children, function (tr) { tr.classList.toggle("xv-on", tr.getAttribute("data-index") === String(index)); });
      if (d.status !== "ok") {
        view.textContent = "";
        var p = document.createElement("p");
        p.textContent = d.id + ": " + (d.status === "failed" ? "failed: " + ((d.error || {}).message || "") : "not done yet");
        view.appendChild(p);
        return;
      }
      ExtractView.render(view, {text: d.text, report: d.report, meta: d.meta, title: d.id});
    }, function (e) { setStatus(e.message, true); });
  }

  function cellsOf(doc) {
    var facts = "";
    if (doc.report) {
      facts = 0;
      Object.keys(doc.report).forEach(function (k) { if (Array.isArray(doc.report[k])) facts += doc.report[k].length; });
    }
    return [doc.id, doc.status, String(facts), doc.meta ? doc.meta.seconds.toFixed(2) : "",
      doc.meta ? (doc.meta.cached ? "yes" : "no") : "", doc.error ? doc.error.code + ": " + doc.error.message : ""];
  }

  function showJob(jobId) {
    $("job").hidden = false;
    $("job-id").textContent = jobId;
    clearTimeout(pollTimer);
    api("GET", "/v1/jobs/" + encodeURIComponent(jobId)).then(function (job) {
      $("job-state").textContent = job.status;
      $("job-progress").max = job.total;
      $("job-progress").value = job.done;
      $("job-counts").textContent = job.done + " of " + job.total + " done: " + job.ok + " ok, " + job.failed + " failed, " + job.pending + " pending";
      var tbody = $("job-docs");
      var selected = tbody.querySelector("tr.xv-on");
      var keep = selected ? selected.getAttribute("data-index") : null;
      tbody.textContent = "";
      job.documents.forEach(function (doc, i) {
        var index = job.offset + i;
        var tr = document.createElement("tr");
        tr.setAttribute("data-index", String(index));
        if (String(index) === keep) tr.classList.add("xv-on");
        [String(index + 1)].concat(cellsOf(doc)).forEach(function (c, j) {
          var td = document.createElement("td");
          td.textContent = c;
          if (j === 2) td.className = "st-" + doc.status;
          tr.appendChild(td);
        });
        tr.addEventListener("click", function () { showJobDocument(jobId, index); });
        tbody.appendChild(tr);
      });
      if (job.status !== "done") pollTimer = setTimeout(function () { showJob(jobId); }, 1000);
    }, function (e) { setStatus(e.message, true); });
  }

  function route() {
    var m = /^#job=([0-9a-f]+)$/.exec(location.hash);
    if (m) showJob(m[1]);
    else { $("job").hidden = true; clearTimeout(pollTimer); }
  }
  window.addEventListener("hashchange", route);
  route();
})();
