// blastmap HTML report: simulates the failure of the component you pick
// from the requirements in the embedded data, with the rules of
// docs/semantics.md (states as the least fixpoint, kept with counters per
// requirement; cascade paths as shortest paths by breadth-first search,
// first requirement and first member by id on ties), in O(components +
// requirement members) per pick. The browser test holds it to the engine's
// results. Text from the manifest only ever reaches the page through
// textContent, never as markup.
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
  // The simulation shown, if any (a group box's panel gives its members' states).
  var lastSim = null, lastFailed = [];

  function node(i) { return document.getElementById("bm-c" + i); }

  // ---- Simulation (docs/semantics.md#fixpoint, #cascade-paths) ----
  // Requirements flat: requirement q of the model is reqs[q] = [shape,
  // need, soft, origin, members]; first[i] .. first[i + 1] are component
  // i's, in written order. users[m] lists (component, q) pairs of every
  // requirement m is a member of.
  var UP = 0, DEGRADED = 1, DOWN = 2;
  var reqs = [], first = [0], users = comps.map(function () { return []; });
  comps.forEach(function (c, i) {
    (c.needs || []).forEach(function (r) {
      var q = reqs.length;
      reqs.push(r);
      r[4].forEach(function (m) { users[m].push(i, q); });
    });
    first.push(reqs.length);
  });

  function simulate(failed) {
    var n = comps.length, state = new Uint8Array(n), isFailed = new Uint8Array(n);
    var downs = new Int32Array(reqs.length), degs = new Int32Array(reqs.length);
    var work = [];
    function raise(c, s) {
      var old = state[c];
      if (s <= old) { return; }
      state[c] = s;
      var u = users[c];
      for (var k = 0; k < u.length; k += 2) {
        var q = u[k + 1];
        if (old === DEGRADED) { degs[q]--; }
        if (s === DOWN) { downs[q]++; } else { degs[q]++; }
        work.push(u[k]);
      }
    }
    failed.forEach(function (f) { isFailed[f] = 1; raise(f, DOWN); });
    while (work.length) {
      var c = work.pop();
      if (isFailed[c]) { continue; }
      var worst = UP;
      for (var q = first[c]; q < first[c + 1]; q++) { worst = Math.max(worst, lowered(q)); }
      raise(c, worst);
    }
    // Raw outcome of requirement q: 2 unmet, 1 impaired, 0 met.
    function raw(q) {
      var r = reqs[q], alive = r[4].length - downs[q];
      return alive < r[1] ? DOWN : alive - degs[q] < r[1] ? DEGRADED : UP;
    }
    function lowered(q) { var o = raw(q); return reqs[q][2] ? Math.max(o - 1, 0) : o; }
    function justifies(q, s) { return s !== UP && lowered(q) === s; }
    function canNext(q, m) {
      var o = raw(q);
      return (o === DOWN && state[m] === DOWN) || (o === DEGRADED && state[m] !== UP);
    }
    // Distances from the failure, breadth first.
    var dist = new Int32Array(n).fill(-1), queue = [];
    failed.forEach(function (f) { if (dist[f] < 0) { dist[f] = 0; queue.push(f); } });
    for (var h = 0; h < queue.length; h++) {
      var m = queue[h], u = users[m];
      for (var k = 0; k < u.length; k += 2) {
        var o = u[k], q = u[k + 1];
        if (dist[o] < 0 && !isFailed[o] && justifies(q, state[o]) && canNext(q, m)) {
          dist[o] = dist[m] + 1;
          queue.push(o);
        }
      }
    }
    // The next step of each affected component: the first requirement with
    // a possible next step one closer, and in it the member first by id.
    var next = new Int32Array(n).fill(-1), via = new Int32Array(n).fill(-1);
    var down = [], degraded = [];
    for (var c = 0; c < n; c++) {
      if (isFailed[c] || state[c] === UP) { continue; }
      (state[c] === DOWN ? down : degraded).push(c);
      for (var q = first[c]; q < first[c + 1] && next[c] < 0; q++) {
        if (!justifies(q, state[c])) { continue; }
        var best = -1;
        reqs[q][4].forEach(function (m) {
          if (dist[m] === dist[c] - 1 && canNext(q, m) && (best < 0 || m < best)) { best = m; }
        });
        if (best >= 0) { next[c] = best; via[c] = q - first[c]; }
      }
    }
    return { state: state, down: down, degraded: degraded, next: next, via: via, failed: isFailed };
  }

  // A group in words, as the text report writes it.
  function groupName(r) {
    var ids = r[4].map(function (m) { return comps[m].id; }).join(", ");
    return r[0] === 1 ? "any_of(" + ids + ")" : r[0] === 2 ? "quorum " + r[1] + " of (" + ids + ")" : ids;
  }
  // How step `from` → its next is taken: "soft", a group, "runs in" or "".
  function stepWords(from, k) {
    var r = comps[from].needs[k], group = r[0] !== 0;
    if (r[2]) { return group ? "soft " + groupName(r) : "soft"; }
    if (group) { return groupName(r); }
    return r[3] !== 0 ? "runs in" : "";
  }
  // The cascade path of `c`: [component, ..., failed], with the words of each step.
  function pathOf(sim, c) {
    var path = [c], words = [];
    while (!sim.failed[c] && sim.next[c] >= 0 && path.length <= comps.length) {
      words.push(stepWords(c, sim.via[c]));
      c = sim.next[c];
      path.push(c);
    }
    return { path: path, via: words };
  }
  // Diagram elements on the cascade paths: every affected component's
  // first step (a path is its first step and the next one's path).
  function hotElements(sim) {
    var hot = [];
    sim.down.concat(sim.degraded).forEach(function (c) {
      var k = sim.via[c];
      if (k < 0) { return; }
      hot.push("bm-e" + c + "-" + k + "-" + sim.next[c]);
      if (comps[c].needs[k][0] !== 0) { hot.push("bm-e" + c + "-" + k, "bm-j" + c + "-" + k); }
    });
    return hot;
  }
  window.blastmapSimulate = function (i) {
    var sim = simulate([i]);
    return {
      down: sim.down, degraded: sim.degraded,
      paths: sim.down.concat(sim.degraded).sort(function (a, b) { return a - b; }).map(function (c) { return pathOf(sim, c).path; })
    };
  };

  // Make every component node of the diagram a keyboard-reachable button.
  function wireNodes() { comps.forEach(function (c, i) {
    var g = node(i);
    if (!g) { return; }
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.setAttribute("aria-label", c.id + " (" + c.kind + "): show what its failure takes down");
    g.dataset.c = String(i);
  }); }
  wireNodes();

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
        e.style.removeProperty("--bm-share");
        e.removeAttribute("data-counts");
        var title = e.querySelector("title");
        if (title && title.dataset.plain) { title.textContent = title.dataset.plain; }
      });
    }
    document.querySelectorAll('.bm-pick[aria-pressed="true"]').forEach(function (b) {
      b.removeAttribute("aria-pressed");
    });
  }

  // A drawing of groups (above 150 components): each group box takes the
  // worst state of its members, shaded by the share of them that goes down
  // or degrades, and its tooltip counts them.
  function markGroups(sim) {
    var tally = new Map();
    comps.forEach(function (c, i) {
      if (c.group === undefined || c.group === null) { return; }
      var t = tally.get(c.group) || { all: 0, failed: 0, down: 0, degraded: 0 };
      t.all++;
      if (sim.failed[i]) { t.failed++; } else if (sim.state[i] === DOWN) { t.down++; } else if (sim.state[i] === DEGRADED) { t.degraded++; }
      tally.set(c.group, t);
    });
    // Cascade paths between groups: a step from a component to its next
    // one in another group lights the arrow between the two boxes.
    sim.down.concat(sim.degraded).forEach(function (c) {
      var m = sim.next[c];
      if (m < 0) { return; }
      var a = comps[c].group, b = comps[m].group;
      if (a === undefined || b === undefined || a === null || b === null || a === b) { return; }
      var arrow = document.getElementById("bm-ge" + a + "-" + b);
      if (arrow) { arrow.classList.add("bm-hot"); }
    });
    tally.forEach(function (t, g) {
      var box = document.getElementById("bm-g" + g);
      if (!box || t.failed + t.down + t.degraded === 0) { return; }
      var cls = t.failed ? "bm-failed" : t.down ? "bm-down" : "bm-degraded";
      box.classList.add("bm-hit", cls);
      var share = (t.failed + t.down + t.degraded) / t.all;
      box.style.setProperty("--bm-share", String(share));
      box.setAttribute("data-counts", t.failed + " failed, " + t.down + " down, " + t.degraded + " degraded of " + t.all);
      var title = box.querySelector("title");
      if (title) {
        if (!title.dataset.plain) { title.dataset.plain = title.textContent; }
        title.textContent = title.dataset.plain + "\n" + box.getAttribute("data-counts");
      }
    });
  }

  function mark(i, cls) {
    var g = node(i);
    if (g) { g.classList.add("bm-hit", cls); }
  }

  function clear() {
    clearMarks();
    selected = null;
    lastSim = null;
    lastFailed = [];
    writeHash([]);
    panel.classList.remove("bm-has");
    panel.replaceChildren(el("h2", null, "Details"),
      el("p", "bm-muted", "No component selected. Pick one on the diagram, in a table or with the search box."));
  }

  // Lists in the panel show this many entries; the rest are counted.
  var LISTED = 200, PATHS_LISTED = 50, STEPS_SHOWN = 12;

  function select(i, fromKeyboard) { selectAll([i], fromKeyboard); }

  // Fails every component of `list` at once (a pick, or the link's
  // `#fail=`), and writes the failure into the URL fragment so that the
  // address shows the scenario.
  function selectAll(list, fromKeyboard) {
    clearMarks();
    selected = list.length === 1 ? list[0] : null;
    var sim = simulate(list);
    lastSim = sim;
    lastFailed = list.slice();
    if (svg) {
      svg.classList.add("bm-active");
      list.forEach(function (f) { mark(f, "bm-failed"); });
      sim.down.forEach(function (d) { mark(d, "bm-down"); });
      sim.degraded.forEach(function (d) { mark(d, "bm-degraded"); });
      hotElements(sim).forEach(function (id) {
        var e = document.getElementById(id);
        if (e) { e.classList.add(e.classList.contains("node") ? "bm-hit" : "bm-hot"); }
      });
      markGroups(sim);
    }
    list.forEach(function (i) {
      document.querySelectorAll('.bm-pick[data-c="' + i + '"]').forEach(function (b) {
        b.setAttribute("aria-pressed", "true");
      });
    });
    showDetails(list, sim);
    if (fromKeyboard !== true && search && list.length === 1) { search.value = comps[list[0]].id; }
    writeHash(list);
  }

  function cappedList(list, cap) {
    var span = idList(list.slice(0, cap));
    if (list.length > cap) { span.appendChild(el("span", "bm-muted", " + " + (list.length - cap) + " more")); }
    return span;
  }

  // What a failure does: counts, what goes down and degrades, cascade paths.
  function failureParts(sim, title) {
    var parts = [];
    var counts = el("div", "bm-counts");
    counts.appendChild(el("span", "bm-c-down", sim.down.length + " down"));
    counts.appendChild(el("span", "bm-c-degraded", sim.degraded.length + " degraded"));
    parts.push(el("h4", null, title));
    parts.push(counts);
    if (sim.down.length + sim.degraded.length === 0) {
      parts.push(el("p", "bm-muted", "Takes nothing else down."));
    } else {
      if (sim.down.length) { parts.push(el("p", null, "Takes down:")); parts.push(cappedList(sim.down, LISTED)); }
      if (sim.degraded.length) { parts.push(el("p", null, "Degrades:")); parts.push(cappedList(sim.degraded, LISTED)); }
      parts.push(el("h4", null, "Cascade paths"));
      var ul = el("ul", "bm-paths");
      var affected = sim.down.concat(sim.degraded).sort(function (a, b) { return a - b; });
      affected.slice(0, PATHS_LISTED).forEach(function (a) {
        var p = pathOf(sim, a);
        var li = el("li", "bm-path");
        var state = sim.state[a] === 2 ? "down" : "degraded";
        li.appendChild(el("span", "bm-state bm-state-" + state, state));
        var words = [];
        p.path.forEach(function (step, k) {
          // Long chains keep their start and their failed end.
          if (p.path.length > STEPS_SHOWN && k >= 8 && k < p.path.length - 3) {
            if (k === 8) { words.push("… " + (p.path.length - 11) + " more steps …", "→"); }
            return;
          }
          words.push(comps[step].id);
          var v = p.via[k];
          if (k < p.path.length - 1) { words.push(v ? "→(" + v + ")" : "→"); }
        });
        li.appendChild(document.createTextNode(words.join(" ") + " (failed)"));
        ul.appendChild(li);
      });
      parts.push(ul);
      if (affected.length > PATHS_LISTED) {
        parts.push(el("p", "bm-muted", "+ " + (affected.length - PATHS_LISTED) + " more paths"));
      }
    }
    return parts;
  }

  function showDetails(list, sim) {
    panel.classList.add("bm-has");
    if (list.length !== 1) {
      var many = [el("h2", null, "Details"), el("h3", null, list.length + " components fail together"), idList(list)];
      panel.replaceChildren.apply(panel, many.concat(failureParts(sim, "Their failure")));
      return;
    }
    var i = list[0], c = comps[i];
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

    parts = parts.concat(failureParts(sim, "Its failure"));
    parts.push(el("h4", null, "Single points of failure"));
    if (c.spofs === null && !c.critical) {
      parts.push(el("p", "bm-muted", "Listed for critical components (tier 1 or entrypoint); `report --detail` lists them for every one."));
    } else if (c.spofs === null) {
      parts.push(el("p", "bm-muted", "Not computed (--analyses)."));
    } else if (c.spofs.length === 0) {
      parts.push(el("p", "bm-muted", "None: no single failure takes it down."));
    } else {
      parts.push(el("p", null, "Fails alone with:"));
      var spofs = idList(c.spofs);
      if (c.spofs_total > c.spofs.length) {
        spofs.appendChild(el("span", "bm-muted", " + " + (c.spofs_total - c.spofs.length) + " more"));
      }
      parts.push(spofs);
    }
    panel.replaceChildren.apply(panel, parts);
  }

  // ---- Expanding a group of the overview in place ----
  // The group's members drawn one by one, in rows by cold-start wave (what
  // a component needs sits below it), with the requirements between them
  // and ids the marking code knows (bm-c, bm-e): a pick shows inside it.
  var overview = null, EXPAND_MAX = 300, SVGNS = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function expandGroup(g, name) {
    var members = [];
    comps.forEach(function (c, i) { if (c.group === g) { members.push(i); } });
    if (!svg || members.length === 0 || members.length > EXPAND_MAX) { return false; }
    var W = 150, H = 44, GX = 22, GY = 60, PER = 6;
    var top = 0;
    members.forEach(function (i) { if (comps[i].wave !== null && comps[i].wave > top) { top = comps[i].wave; } });
    var rows = new Map();
    members.forEach(function (i) {
      var w = comps[i].wave === null ? top + 1 : comps[i].wave;
      if (!rows.has(w)) { rows.set(w, []); }
      rows.get(w).push(i);
    });
    var waves = Array.from(rows.keys()).sort(function (a, b) { return b - a; });
    var at = new Map(), y = 20, widest = 0;
    waves.forEach(function (w) {
      var row = rows.get(w);
      for (var s = 0; s < row.length; s += PER) {
        var part = row.slice(s, s + PER);
        widest = Math.max(widest, part.length);
        part.forEach(function (i, k) { at.set(i, [20 + k * (W + GX), y]); });
        y += H + GY;
      }
    });
    var width = 40 + widest * (W + GX), height = y;
    var out = svgEl("svg", { "class": "bm-svg bm-expanded", viewBox: "0 0 " + width + " " + height, role: "group",
      "aria-label": "Components of " + name });
    var defs = svgEl("defs");
    [["bm-arrow", "#6b7280"], ["bm-arrow-hot", "#b2182b"]].forEach(function (m) {
      var marker = svgEl("marker", { id: m[0], viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7",
        markerHeight: "7", orient: "auto-start-reverse" });
      marker.appendChild(svgEl("path", { d: "M0,0 L10,5 L0,10 z", fill: m[1] }));
      defs.appendChild(marker);
    });
    out.appendChild(defs);
    var edges = svgEl("g", { "class": "bm-edges" }), outside = 0;
    members.forEach(function (c) {
      (comps[c].needs || []).forEach(function (r, k) {
        r[4].forEach(function (m) {
          if (!at.has(m)) { outside++; return; }
          var a = at.get(c), b = at.get(m);
          var sx = a[0] + W / 2, sy = a[1] + H, tx = b[0] + W / 2, ty = b[1] > a[1] ? b[1] : b[1] + H;
          var bend = Math.max(Math.abs(ty - sy) / 2, 30);
          var e = svgEl("g", { "class": "edge" + (r[2] ? " bm-soft" : "") + (r[3] !== 0 ? " bm-place" : ""),
            id: "bm-e" + c + "-" + k + "-" + m });
          e.appendChild(svgEl("title", {}, comps[c].id + " → " + comps[m].id));
          e.appendChild(svgEl("path", { d: "M" + sx + "," + sy + " C" + sx + "," + (sy + bend) + " " + tx + "," +
            (b[1] > a[1] ? ty - bend : ty + bend) + " " + tx + "," + ty }));
          edges.appendChild(e);
        });
      });
    });
    out.appendChild(edges);
    var nodes = svgEl("g", { "class": "bm-nodes" });
    members.forEach(function (i) {
      var p = at.get(i), c = comps[i];
      var n = svgEl("g", { "class": "node", id: "bm-c" + i });
      n.appendChild(svgEl("title", {}, c.id + (c.name && c.name !== c.id ? " — " + c.name : "")));
      n.appendChild(svgEl("rect", { x: p[0], y: p[1], width: W, height: H, rx: 6 }));
      n.appendChild(svgEl("text", { x: p[0] + W / 2, y: p[1] + 19, "text-anchor": "middle", "class": "bm-id" },
        c.id.length > 20 ? c.id.slice(0, 19) + "…" : c.id));
      n.appendChild(svgEl("text", { x: p[0] + W / 2, y: p[1] + 34, "text-anchor": "middle", "class": "bm-kind" },
        c.kind + " · tier " + c.tier));
      nodes.appendChild(n);
    });
    out.appendChild(nodes);
    overview = overview || svg;
    svg.replaceWith(out);
    svg = out;
    figure.setAttribute("data-expanded", String(g));
    wireNodes();
    var back = el("button", "bm-back", "← Back to the overview");
    back.type = "button";
    back.id = "bm-back";
    back.addEventListener("click", collapseGroup);
    figure.insertBefore(back, svg);
    var note = el("p", "bm-muted", name + ": " + members.length + " components" +
      (outside ? "; " + outside + " requirements lead out of the group (not drawn)" : "") + ".");
    note.id = "bm-expanded-note";
    figure.insertBefore(note, svg);
    if (lastFailed.length) { selectAll(lastFailed, true); }
    return true;
  }
  function collapseGroup() {
    if (!overview) { return; }
    svg.replaceWith(overview);
    svg = overview;
    overview = null;
    figure.removeAttribute("data-expanded");
    ["bm-back", "bm-expanded-note"].forEach(function (id) { var e = document.getElementById(id); if (e) { e.remove(); } });
    if (lastFailed.length) { selectAll(lastFailed, true); }
  }

  // A group box of the overview (above 150 components), opened in the
  // panel: its members as pick buttons, with what the shown failure does
  // to them.
  function showGroup(box) {
    var g = Number(box.id.slice(4));
    var members = [];
    comps.forEach(function (c, i) { if (c.group === g) { members.push(i); } });
    var label = box.querySelector("text");
    var name = label ? label.textContent : "group " + g;
    expandGroup(g, name);
    var parts = [el("h2", null, "Details"), el("h3", null, name), el("p", "bm-muted", members.length + " components")];
    if (lastSim) {
      var states = [["failed", function (i) { return lastSim.failed[i]; }],
                    ["down", function (i) { return !lastSim.failed[i] && lastSim.state[i] === DOWN; }],
                    ["degraded", function (i) { return lastSim.state[i] === DEGRADED; }]];
      states.forEach(function (s) {
        var these = members.filter(s[1]);
        if (these.length) { parts.push(el("p", null, these.length + " " + s[0] + ":")); parts.push(cappedList(these, LISTED)); }
      });
      var up = members.filter(function (i) { return lastSim.state[i] === UP && !lastSim.failed[i]; });
      parts.push(el("p", null, up.length + " unaffected:"));
      parts.push(cappedList(up, LISTED));
    } else {
      parts.push(el("p", null, "Pick one to fail it:"));
      parts.push(cappedList(members, LISTED));
    }
    panel.classList.add("bm-has");
    panel.replaceChildren.apply(panel, parts);
  }

  // One delegated listener for every pick button and diagram node.
  document.addEventListener("click", function (ev) {
    var box = ev.target instanceof Element ? ev.target.closest('g.node[id^="bm-g"]') : null;
    if (box) { ev.preventDefault(); showGroup(box); return; }
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

  // ---- The page's state in the URL fragment ----
  // `#fail=ID,ID` fails those components together; `focus=ID` scrolls the
  // diagram to a component and outlines it: `report.html#fail=zone-a` in a
  // design-review document opens with that scenario shown. Ids are
  // URI-encoded (a comma inside an id is %2C).
  function fragment() {
    var params = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at < 0) { return; }
      var values = part.slice(at + 1).split(",").filter(function (v) { return v !== ""; });
      try {
        params[decodeURIComponent(part.slice(0, at))] = values.map(decodeURIComponent);
      } catch (e) {
        params[part.slice(0, at)] = values;
      }
    });
    return params;
  }
  function writeHash(list) {
    var focus = fragment().focus;
    var parts = [];
    if (list.length) { parts.push("fail=" + list.map(function (i) { return encodeURIComponent(comps[i].id); }).join(",")); }
    if (focus && focus.length) { parts.push("focus=" + focus.map(encodeURIComponent).join(",")); }
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (location.hash !== hash) {
      history.replaceState(null, "", hash || location.pathname + location.search);
    }
  }
  function applyHash() {
    var params = fragment(), unknown = [];
    var known = function (ids) {
      return (ids || []).filter(function (id) {
        if (byId.has(id)) { return true; }
        unknown.push(id);
        return false;
      }).map(function (id) { return byId.get(id); });
    };
    var fail = known(params.fail), focus = known(params.focus);
    document.querySelectorAll(".bm-focus").forEach(function (e) { e.classList.remove("bm-focus"); });
    focus.forEach(function (i) { var g = node(i); if (g) { g.classList.add("bm-focus"); } });
    if (fail.length) { selectAll(fail); } else if (params.fail) { clear(); }
    if (focus.length && node(focus[0])) { node(focus[0]).scrollIntoView({ block: "center", inline: "center" }); }
    if (unknown.length) {
      panel.appendChild(el("p", "bm-warn", "The link names " + (unknown.length === 1 ? "an id" : "ids") +
        " this inventory does not have: " + unknown.join(", ") + "."));
    }
  }
  window.addEventListener("hashchange", applyHash);

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
  if (location.hash) { applyHash(); }
}());
