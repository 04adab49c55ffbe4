// The report view: a document with every evidence highlighted beside a table of its facts.
// Used by the service's page (/), by `extract run FILE --html OUT.html` and by the eval
// report's per-document pages, so all three show the same thing.
//
// It knows no schema: every list in the report whose items carry an "evidence" string is a
// table of facts; the other top-level fields are a summary. All text goes through
// textContent (never innerHTML): documents and model output are untrusted.
//
//   ExtractView.render(container, {text, report, meta, title?})  -> {select(rowId)}
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] === null || attrs[k] === undefined) return;
        if (k === "text") node.textContent = String(attrs[k]);
        else if (k === "cls") node.className = attrs[k];
        else node.setAttribute(k, String(attrs[k]));
      });
    }
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  // ------------------------------------------------------------------ formatting

  var SCALES = [[1e12, " trillion"], [1e9, " billion"], [1e6, " million"], [1e4, null]];

  function grouped(n) {
    return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toLocaleString("en-US", {maximumFractionDigits: 4});
  }

  function scaled(n) {
    // 73300000 -> "73.3 million"; small figures as they are.
    var a = Math.abs(n);
    for (var i = 0; i < SCALES.length; i++) {
      if (SCALES[i][1] && a >= SCALES[i][0]) {
        var v = n / SCALES[i][0];
        return (Math.round(v * 1000) / 1000).toLocaleString("en-US", {maximumFractionDigits: 3}) + SCALES[i][1];
      }
    }
    return grouped(n);
  }

  function fmtNumber(v) {
    if (typeof v === "number") return scaled(v);
    if (Array.isArray(v)) return v.map(fmtNumber).join(" – ");
    return v === null || v === undefined ? "" : String(v);
  }

  function fmtPct(v, signed) {
    if (typeof v !== "number") return v === null || v === undefined ? "" : String(v);
    return (signed && v > 0 ? "+" : "") + (Math.round(v * 100) / 100) + "%";
  }

  function fmtAny(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return grouped(v);
    if (typeof v === "object") {
      return Object.keys(v).filter(function (k) { return v[k] !== null && v[k] !== undefined; })
        .map(function (k) { return Array.isArray(v) ? fmtAny(v[k]) : k + ": " + fmtAny(v[k]); }).join(Array.isArray(v) ? " – " : ", ");
    }
    return String(v);
  }

  function isNumeric(v) {
    return typeof v === "number" || Array.isArray(v) && v.length > 0 && v.every(function (x) { return typeof x === "number"; });
  }

  function cell(key, item) {
    // The cell text of `key` for one fact. Figures of a fact that has a unit carry the unit
    // and the scale (the exact number is in the tooltip); *_pct fields are percentages.
    var v = item[key];
    // Changes (yoy_pct, qoq_pct, change_pct) are signed; shares of a whole (stake_pct) are not.
    if (/_pct$/.test(key)) return {text: fmtPct(v, /^(yoy|qoq|mom|change)/.test(key)), cls: "num"};
    if (isNumeric(v) && typeof item.unit === "string" && item.unit) {
      var exact = Array.isArray(v) ? v.map(grouped).join(" – ") : grouped(v);
      if (item.unit === "%") return {text: exact + "%", cls: "num"};
      return {text: fmtNumber(v) + " " + item.unit, cls: "num", title: exact + " " + item.unit};
    }
    return {text: fmtAny(v), cls: typeof v === "number" ? "num" : null};
  }

  // ------------------------------------------------------------------ spans

  function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  function locate(text, evidence) {
    // [start, end) of the evidence in the text: verbatim, else with any run of whitespace
    // matching any other (a page turned into text can differ in line breaks). Linear time.
    if (!evidence) return null;
    var at = text.indexOf(evidence);
    if (at >= 0) return [at, at + evidence.length];
    var words = evidence.trim().split(/\s+/).filter(Boolean);
    if (!words.length) return null;
    var m = new RegExp(words.map(escapeRe).join("\\s+")).exec(text);
    return m ? [m.index, m.index + m[0].length] : null;
  }

  function factLists(report) {
    // [key, items] for every list of objects in the report that carries evidence.
    return Object.keys(report || {}).filter(function (k) {
      var v = report[k];
      return Array.isArray(v) && v.length && v.every(function (x) { return x && typeof x === "object" && !Array.isArray(x); }) &&
        v.some(function (x) { return typeof x.evidence === "string"; });
    }).map(function (k) { return [k, report[k]]; });
  }

  function columnsOf(items) {
    var seen = [];
    items.forEach(function (it) { Object.keys(it).forEach(function (k) { if (seen.indexOf(k) < 0) seen.push(k); }); });
    var hasFigure = items.some(function (it) {
      return typeof it.unit === "string" && Object.keys(it).some(function (k) { return !/_pct$/.test(k) && isNumeric(it[k]); });
    });
    return seen.filter(function (k) {
      if (k === "evidence" || k === "checks") return false;
      if (k === "unit" && hasFigure) return false; // shown with the figures
      return items.some(function (it) { return it[k] !== null && it[k] !== undefined; }); // no all-empty columns
    });
  }

  // ------------------------------------------------------------------ pieces

  function summary(report, meta, title) {
    var box = el("section", {cls: "xv-summary"});
    if (title) box.appendChild(el("h2", {text: title}));
    var dl = el("dl");
    var lists = factLists(report).map(function (p) { return p[0]; });
    Object.keys(report || {}).forEach(function (k) {
      if (lists.indexOf(k) >= 0 || Array.isArray(report[k]) && !report[k].length) return;
      dl.appendChild(el("dt", {text: k}));
      dl.appendChild(el("dd", {text: fmtAny(report[k]) || "—"}));
    });
    box.appendChild(dl);
    if (meta) {
      var u = meta.usage || {};
      var bits = [
        ["schema", (meta.schema || "") + (meta.schema_version ? " v" + meta.schema_version : "")],
        ["strategy", meta.strategy], ["model", meta.model],
        ["tokens", u.total_tokens !== undefined ? grouped(u.total_tokens) + " (" + grouped(u.prompt_tokens || 0) + " in, " + grouped(u.completion_tokens || 0) + " out)" : null],
        ["model requests", u.requests], ["seconds", typeof meta.seconds === "number" ? meta.seconds.toFixed(2) : null],
        ["cached", meta.cached === undefined ? null : meta.cached ? "yes" : "no"],
      ];
      var m = el("p", {cls: "xv-meta"});
      bits.forEach(function (b) {
        if (b[1] === null || b[1] === undefined || b[1] === "") return;
        m.appendChild(el("span", {"data-meta": b[0]}, [el("b", {text: b[0] + " "}), String(b[1])]));
      });
      box.appendChild(m);
    }
    return box;
  }

  function checksCell(checks) {
    var td = el("td", {cls: "xv-checks"});
    (checks || []).forEach(function (c) {
      var passed = c.passed === true;
      var detail = [c.against ? "against " + c.against : "", c.detail || ""].filter(Boolean).join(": ");
      td.appendChild(el("span", {cls: passed ? "xv-pass" : "xv-fail", title: detail || null,
        text: (passed ? "✓ " : "✗ ") + (c.check || "check")}));
    });
    return td;
  }

  function dropped(entries) {
    var box = el("section", {cls: "xv-dropped"});
    box.appendChild(el("h3", {text: "Dropped by the grounding gate (" + entries.length + ")"}));
    if (!entries.length) {
      box.appendChild(el("p", {cls: "xv-quiet", text: "Nothing was dropped."}));
      return box;
    }
    var tb = el("tbody");
    entries.forEach(function (d) {
      var e = d.entry || {};
      var rest = {};
      Object.keys(e).forEach(function (k) { if (k !== "evidence") rest[k] = e[k]; });
      tb.appendChild(el("tr", null, [
        el("td", {cls: "xv-reason", text: d.reason}), el("td", {text: fmtAny(rest)}),
        el("td", {cls: "xv-ev", text: e.evidence === undefined ? "" : fmtAny(e.evidence)}),
      ]));
    });
    box.appendChild(el("table", {cls: "xv-table"}, [
      el("thead", null, [el("tr", null, [el("th", {text: "reason"}), el("th", {text: "entry"}), el("th", {text: "evidence"})])]), tb,
    ]));
    return box;
  }

  // ------------------------------------------------------------------ render

  function render(container, data) {
    var text = data.text || "";
    var report = data.report || {};
    container.textContent = "";
    container.classList.add("xv");
    container.appendChild(summary(report, data.meta, data.title));

    var facts = el("div", {cls: "xv-facts"});
    var rows = {};   // rowId -> {tr, span, label}
    var spans = [];  // [start, end, rowId]
    var n = 0;
    var lists = factLists(report);
    lists.forEach(function (pair) {
      var key = pair[0], items = pair[1];
      var cols = columnsOf(items);
      var withChecks = items.some(function (it) { return Array.isArray(it.checks); });
      var head = cols.map(function (c) { return el("th", {text: c}); });
      if (withChecks) head.push(el("th", {text: "checks"}));
      head.push(el("th", {text: "evidence"}));
      var tb = el("tbody");
      items.forEach(function (it) {
        var id = "f" + (n++);
        var tr = el("tr", {"data-row": id, tabindex: "0"});
        cols.forEach(function (c) {
          var x = cell(c, it);
          tr.appendChild(el("td", {cls: x.cls || null, title: x.title || null, "data-col": c, text: x.text}));
        });
        if (withChecks) tr.appendChild(checksCell(it.checks));
        var where = locate(text, it.evidence);
        tr.appendChild(el("td", {cls: "xv-ev" + (where ? "" : " xv-missing"), text: it.evidence || "",
          title: where ? null : "not found in the document"}));
        var label = cols.filter(function (c) { return it[c] !== null && it[c] !== undefined && typeof it[c] !== "object"; })
          .slice(0, 3).map(function (c) { return cell(c, it).text; }).join(" · ");
        rows[id] = {tr: tr, span: where, label: label};
        if (where) spans.push([where[0], where[1], id]);
        tb.appendChild(tr);
      });
      facts.appendChild(el("h3", {text: key + " (" + items.length + ")"}));
      facts.appendChild(el("table", {cls: "xv-table", "data-list": key}, [el("thead", null, [el("tr", null, head)]), tb]));
    });
    if (!lists.length) facts.appendChild(el("p", {cls: "xv-quiet", text: "No facts with evidence in this report."}));

    // The document, cut at every span boundary; each piece inside a span is a <mark> that
    // lists the rows covering it, so overlapping evidence stays exact.
    var doc = el("pre", {cls: "xv-doc"});
    var cuts = [0, text.length];
    spans.forEach(function (s) { cuts.push(s[0], s[1]); });
    cuts = cuts.filter(function (c, i, a) { return a.indexOf(c) === i; }).sort(function (a, b) { return a - b; });
    for (var i = 0; i + 1 < cuts.length; i++) {
      var a = cuts[i], b = cuts[i + 1];
      var piece = text.slice(a, b);
      var cover = spans.filter(function (s) { return s[0] <= a && b <= s[1]; });
      if (!cover.length) { doc.appendChild(document.createTextNode(piece)); continue; }
      doc.appendChild(el("mark", {"data-rows": cover.map(function (s) { return s[2]; }).join(" "),
        title: cover.map(function (s) { return rows[s[2]].label; }).join("\n"), text: piece}));
    }

    container.appendChild(el("div", {cls: "xv-main"}, [facts, el("div", {cls: "xv-docbox"}, [doc])]));
    var meta = data.meta || {};
    if (Array.isArray(meta.dropped)) container.appendChild(dropped(meta.dropped));

    function marksOf(id) {
      return Array.prototype.filter.call(doc.querySelectorAll("mark"), function (m) {
        return m.getAttribute("data-rows").split(" ").indexOf(id) >= 0;
      });
    }

    function select(id, from) {
      Array.prototype.forEach.call(container.querySelectorAll(".xv-on"), function (x) { x.classList.remove("xv-on"); });
      var row = rows[id];
      if (!row) return;
      row.tr.classList.add("xv-on");
      var marks = marksOf(id);
      marks.forEach(function (m) { m.classList.add("xv-on"); });
      if (from !== "row" && row.tr.scrollIntoView) row.tr.scrollIntoView({block: "nearest"});
      if (from !== "mark" && marks.length && marks[0].scrollIntoView) marks[0].scrollIntoView({block: "center"});
    }

    Object.keys(rows).forEach(function (id) {
      rows[id].tr.addEventListener("click", function () { select(id, "row"); });
      rows[id].tr.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(id, "row"); } });
    });
    doc.addEventListener("click", function (ev) {
      var m = ev.target.closest ? ev.target.closest("mark") : null;
      if (!m) return;
      // The narrowest span under the click is the fact meant.
      var ids = m.getAttribute("data-rows").split(" ");
      ids.sort(function (x, y) { return (rows[x].span[1] - rows[x].span[0]) - (rows[y].span[1] - rows[y].span[0]); });
      select(ids[0], "mark");
    });
    return {select: select, rows: rows};
  }

  window.ExtractView = {render: render, locate: locate, scaled: scaled};
})();
