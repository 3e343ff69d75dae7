// blastmap HTML report: shows what the engine computed for the single
// failure of the component you pick. It does no analysis of its own: the
// down and degraded lists, cascade paths and diagram elements on those
// paths are all in the embedded data. Text from the manifest only ever
// reaches the page through textContent, never as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("blastmap-data").textContent);
  var comps = data.components;
  var byId = new Map();
  comps.forEach(function (c, i) { byId.set(c.id, i); });
  var figure = document.getElementById("bm-diagram");
  var svg = figure ? figure.querySelector("svg") : null;
  var panel = document.getElementById("bm-details");
  var search = document.getElementById("bm-search");
  var selected = null;

  function node(i) { return document.getElementById("bm-c" + i); }

  // Make every component node of the diagram a keyboard-reachable button.
  comps.forEach(function (c, i) {
    var g = node(i);
    if (!g) { return; }
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.setAttribute("aria-label", c.id + " (" + c.kind + "): show what its failure takes down");
    g.dataset.c = String(i);
  });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function pickButton(i) {
    var b = el("button", "bm-pick", comps[i].id);
    b.type = "button";
    b.dataset.c = String(i);
    return b;
  }

  function idList(list) {
    var span = el("span");
    list.forEach(function (i, k) {
      if (k > 0) { span.appendChild(document.createTextNode(" ")); }
      span.appendChild(pickButton(i));
    });
    return span;
  }

  function pct(x) { return (x * 100).toFixed(4) + "%"; }

  function clearMarks() {
    if (svg) {
      svg.classList.remove("bm-active");
      svg.querySelectorAll(".bm-hit, .bm-hot").forEach(function (e) {
        e.classList.remove("bm-hit", "bm-hot", "bm-failed", "bm-down", "bm-degraded");
      });
    }
    document.querySelectorAll('.bm-pick[aria-pressed="true"]').forEach(function (b) {
      b.removeAttribute("aria-pressed");
    });
  }

  function mark(i, cls) {
    var g = node(i);
    if (g) { g.classList.add("bm-hit", cls); }
  }

  function clear() {
    clearMarks();
    selected = null;
    panel.classList.remove("bm-has");
    panel.replaceChildren(el("h2", null, "Details"),
      el("p", "bm-muted", "No component selected. Pick one on the diagram, in a table or with the search box."));
  }

  function select(i, fromKeyboard) {
    clearMarks();
    selected = i;
    var c = comps[i];
    var down = c.down || [];
    var degraded = c.degraded || [];
    if (svg) {
      svg.classList.add("bm-active");
      mark(i, "bm-failed");
      down.forEach(function (d) { mark(d, "bm-down"); });
      degraded.forEach(function (d) { mark(d, "bm-degraded"); });
      (c.hot || []).forEach(function (id) {
        var e = document.getElementById(id);
        if (e) { e.classList.add(e.classList.contains("node") ? "bm-hit" : "bm-hot"); }
      });
    }
    document.querySelectorAll('.bm-pick[data-c="' + i + '"]').forEach(function (b) {
      b.setAttribute("aria-pressed", "true");
    });
    showDetails(i);
    if (fromKeyboard !== true && search) { search.value = c.id; }
  }

  function showDetails(i) {
    var c = comps[i];
    panel.classList.add("bm-has");
    var parts = [el("h2", null, "Details"), el("h3", null, c.id)];
    if (c.name && c.name !== c.id) { parts.push(el("p", "bm-muted", c.name)); }
    var dl = el("dl");
    function row(k, v) {
      if (v === null || v === undefined || v === "") { return; }
      dl.appendChild(el("dt", null, k));
      var dd = el("dd");
      if (v instanceof Node) { dd.appendChild(v); } else { dd.textContent = String(v); }
      dl.appendChild(dd);
    }
    row("kind", c.kind);
    row("tier", c.tier + (c.critical ? " (critical)" : ""));
    row("owner", c.owner);
    row("system", c.system);
    row("availability", c.declared === null ? "never fails on its own" : c.declared + "% on its own");
    if (c.ceiling !== null) { row("ceiling", pct(c.ceiling)); }
    if (c.slo !== null) { row("SLO", c.slo + "%" + (c.slo_met === false ? " — out of reach" : " — attainable")); }
    row("cold start", c.wave === null ? "never starts" : "wave " + c.wave);
    parts.push(dl);

    var counts = el("div", "bm-counts");
    counts.appendChild(el("span", "bm-c-down", (c.down || []).length + " down"));
    counts.appendChild(el("span", "bm-c-degraded", (c.degraded || []).length + " degraded"));
    parts.push(el("h4", null, "Its failure"));
    parts.push(counts);
    if (c.down === null) {
      parts.push(el("p", "bm-muted", "Blast radius not computed (--analyses)."));
    } else if (c.down.length + c.degraded.length === 0) {
      parts.push(el("p", "bm-muted", "Takes nothing else down."));
    } else {
      if (c.down.length) { parts.push(el("p", null, "Takes down:")); parts.push(idList(c.down)); }
      if (c.degraded.length) { parts.push(el("p", null, "Degrades:")); parts.push(idList(c.degraded)); }
    }
    if (c.paths && c.paths.length) {
      parts.push(el("h4", null, "Cascade paths"));
      var ul = el("ul", "bm-paths");
      c.paths.forEach(function (p) {
        var li = el("li", "bm-path");
        li.appendChild(el("span", "bm-state bm-state-" + p.state, p.state));
        var words = [];
        p.path.forEach(function (step, k) {
          words.push(comps[step].id);
          var via = p.via[k];
          if (k < p.path.length - 1) { words.push(via ? "→(" + via + ")" : "→"); }
        });
        li.appendChild(document.createTextNode(words.join(" ") + " (failed)"));
        ul.appendChild(li);
      });
      parts.push(ul);
    } else if (!data.paths) {
      parts.push(el("p", "bm-muted", "Cascade paths are left out above 2000 components."));
    }
    parts.push(el("h4", null, "Single points of failure"));
    if (c.spofs === null) {
      parts.push(el("p", "bm-muted", "Not computed (--analyses)."));
    } else if (c.spofs.length === 0) {
      parts.push(el("p", "bm-muted", "None: no single failure takes it down."));
    } else {
      parts.push(el("p", null, "Fails alone with:"));
      parts.push(idList(c.spofs));
    }
    panel.replaceChildren.apply(panel, parts);
  }

  // One delegated listener for every pick button and diagram node.
  document.addEventListener("click", function (ev) {
    var t = ev.target instanceof Element ? ev.target.closest(".bm-pick, g.node[data-c]") : null;
    if (!t) { return; }
    ev.preventDefault();
    var i = Number(t.dataset.c);
    if (selected === i && t.matches("g.node")) { clear(); } else { select(i); }
    if (t.matches(".bm-pick") && figure && !panel.contains(t)) {
      figure.scrollIntoView({ block: "nearest" });
    }
  });

  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { clear(); return; }
    var t = ev.target instanceof Element ? ev.target.closest("g.node[data-c]") : null;
    if (t && (ev.key === "Enter" || ev.key === " " || ev.key === "Spacebar")) {
      ev.preventDefault();
      select(Number(t.dataset.c), true);
    }
  });

  // Zoom: "fit" scales the drawing to the column; each step from there
  // multiplies its width, and the figure scrolls.
  var zoom = 1;
  function applyZoom() {
    if (!svg) { return; }
    if (zoom === 1) {
      svg.style.width = "";
      svg.style.maxWidth = "";
    } else {
      svg.style.width = Math.round(figure.clientWidth * zoom) + "px";
      svg.style.maxWidth = "none";
    }
  }
  document.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () {
      var how = b.getAttribute("data-zoom");
      zoom = how === "fit" ? 1 : how === "in" ? Math.min(zoom * 1.5, 8) : Math.max(zoom / 1.5, 1);
      applyZoom();
    });
  });

  var form = document.getElementById("bm-search-form");
  function fromSearch() {
    var v = search.value.trim();
    if (byId.has(v)) { select(byId.get(v), true); return true; }
    return false;
  }
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (!fromSearch()) {
      panel.replaceChildren(el("h2", null, "Details"), el("p", "bm-muted", "No component has the id " + JSON.stringify(search.value) + "."));
    }
  });
  // Picking an option of the datalist fires `input` with the full id.
  search.addEventListener("input", fromSearch);
  document.getElementById("bm-clear").addEventListener("click", function () {
    search.value = "";
    clear();
  });
}());
