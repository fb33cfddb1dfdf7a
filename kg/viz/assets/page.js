/* kg viz page script: builds tooltips, legend, note and search from the embedded JSON.
   Every piece of text from the graph goes through textContent or a vis string title
   (which vis-network shows with innerText), never through innerHTML. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }

  function typeBadge(type) {
    var badge = el("span", "kg-type", type);
    badge.style.background = (data.colors[type] || "#777");
    return badge;
  }

  function nodeTip(info) {
    var tip = el("div", "kg-tip");
    var head = el("div");
    head.appendChild(typeBadge(info.type));
    if (info.kind === "paper") {
      head.appendChild(el("span", "kg-name", info.title));
      tip.appendChild(head);
      if (info.date) { tip.appendChild(el("div", "kg-line kg-muted", info.date)); }
      if (info.abstract) { tip.appendChild(el("div", "kg-abstract", info.abstract)); }
      if (info.url) { tip.appendChild(el("div", "kg-line kg-muted", info.url)); }
      return tip;
    }
    if (info.kind === "result") {
      head.appendChild(el("span", "kg-name", info.value + (info.unit && info.value.indexOf(info.unit) < 0 ? " " + info.unit : "")));
      tip.appendChild(head);
      if (info.evidence) { tip.appendChild(el("div", "kg-evidence", info.evidence)); }
      return tip;
    }
    head.appendChild(el("span", "kg-name", info.name));
    tip.appendChild(head);
    if (info.kind === "entity") {
      var counts = [];
      if (info.paper_count !== null && info.paper_count !== undefined) { counts.push(plural(info.paper_count, "paper")); }
      if (info.mention_count !== null && info.mention_count !== undefined) { counts.push(plural(info.mention_count, "mention")); }
      if (counts.length) { tip.appendChild(el("div", "kg-line", counts.join(" · "))); }
      if (info.aliases && info.aliases.length) {
        var names = info.aliases.map(function (a) { return a[1] === null || a[1] === undefined ? a[0] : a[0] + " (" + a[1] + ")"; });
        var line = el("div", "kg-line");
        line.appendChild(el("span", "kg-muted", "Also written: "));
        line.appendChild(el("span", null, names.join(", ")));
        tip.appendChild(line);
      }
    }
    return tip;
  }

  function edgeTip(edge, fromName, toName) {
    var tip = el("div", "kg-tip");
    tip.appendChild(el("div", "kg-line kg-muted", fromName + " → " + toName));
    edge.info.forEach(function (rel) {
      var head = el("div", "kg-line");
      head.appendChild(el("span", "kg-name", rel.type));
      if (rel.count > 1) { head.appendChild(el("span", "kg-muted", " ×" + rel.count)); }
      tip.appendChild(head);
      rel.evidence.forEach(function (ev) {
        var quote = el("div", "kg-evidence", ev.text);
        var src = [ev.paper, ev.rule, (ev.confidence === null || ev.confidence === undefined) ? "" : "conf " + ev.confidence]
          .filter(function (s) { return s; }).join(" · ");
        if (src) { quote.appendChild(el("div", "kg-source", src)); }
        tip.appendChild(quote);
      });
      if (rel.more) { tip.appendChild(el("div", "kg-line kg-muted", "+ " + rel.more + " more")); }
    });
    return tip;
  }

  function border(hex) {
    var n = parseInt(hex.slice(1), 16), f = 0.7;
    var r = Math.round(((n >> 16) & 255) * f), g = Math.round(((n >> 8) & 255) * f), b = Math.round((n & 255) * f);
    return "#" + ((1 << 24) + (r << 16) + (g << 8) + b).toString(16).slice(1);
  }

  var byId = {};
  var visNodes = data.nodes.map(function (n) {
    byId[n.id] = n;
    var node = {
      id: n.id, label: n.label, shape: n.shape, kgType: n.node_type, info: n.info, search: n.search,
      color: { background: n.color, border: border(n.color), highlight: { background: n.color, border: "#111" },
               hover: { background: n.color, border: "#111" } },
      font: { size: n.font_size, color: "#222", strokeWidth: 3, strokeColor: "#ffffff" },
      borderWidth: n.center ? 4 : 1,
      size: n.size,
      title: nodeTip(n.info)
    };
    return node;
  });
  var visEdges = data.edges.map(function (e) {
    var from = byId[e.from], to = byId[e.to];
    return {
      id: e.id, from: e.from, to: e.to, label: e.label, kgTypes: e.types, info: e.info,
      color: { color: e.color, highlight: "#111", hover: "#111" }, width: e.width, dashes: e.dashes,
      arrows: e.arrows ? { to: { enabled: true, scaleFactor: 0.6 } } : "",
      title: edgeTip(e, (from.info.name || from.info.title || from.id), (to.info.name || to.info.title || to.id))
    };
  });

  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(visEdges);
  var container = document.getElementById("kg-network");
  var status = document.getElementById("kg-status");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var page = { network: network, nodes: nodes, edges: edges, settled: false };
  window.kgPage = page;

  function settle() {
    if (page.settled) { return; }
    network.setOptions({ physics: { enabled: false } });
    page.settled = true;
    document.body.setAttribute("data-settled", "true");
    if (status.textContent.indexOf("Laying out") === 0) { status.textContent = ""; }
  }
  if (data.options.physics && data.options.physics.enabled !== false) {
    network.on("stabilizationProgress", function (p) {
      status.textContent = "Laying out… " + Math.round(100 * p.iterations / p.total) + "%";
    });
    network.once("stabilizationIterationsDone", function () { settle(); network.fit(); });
    network.once("stabilized", settle);
    setTimeout(settle, data.settle_ms);   // a hard stop: the page never keeps moving
  } else {
    settle();
  }

  // Summary, note and legend.
  document.getElementById("kg-summary").textContent =
    plural(data.nodes.length, "node") + ", " + plural(data.edges.length, "edge") +
    (data.total_nodes !== data.nodes.length ? " (of " + fmt(data.total_nodes) + " nodes)" : "");
  if (data.note) {
    var note = document.getElementById("kg-note");
    note.textContent = data.note;
    note.hidden = false;
  }

  function shapeIcon(shape, color) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "18"); svg.setAttribute("height", "18"); svg.setAttribute("viewBox", "-10 -10 20 20");
    var points = {
      diamond: "0,-8 8,0 0,8 -8,0",
      triangle: "0,-8 8,6 -8,6",
      triangleDown: "0,8 8,-6 -8,-6",
      hexagon: "8,0 4,7 -4,7 -8,0 -4,-7 4,-7",
      star: "0,-9 2.2,-3 8.5,-2.8 3.5,1.2 5.3,7.3 0,3.8 -5.3,7.3 -3.5,1.2 -8.5,-2.8 -2.2,-3"
    };
    var shapeEl;
    if (shape === "square" || shape === "box") {
      shapeEl = document.createElementNS(SVG, "rect");
      shapeEl.setAttribute("x", "-7"); shapeEl.setAttribute("y", "-7"); shapeEl.setAttribute("width", "14"); shapeEl.setAttribute("height", "14");
    } else if (points[shape]) {
      shapeEl = document.createElementNS(SVG, "polygon");
      shapeEl.setAttribute("points", points[shape]);
    } else {
      shapeEl = document.createElementNS(SVG, "circle");
      shapeEl.setAttribute("r", "7");
    }
    shapeEl.setAttribute("fill", color); shapeEl.setAttribute("stroke", border(color));
    svg.appendChild(shapeEl);
    return svg;
  }
  function lineIcon(item) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", "34"); svg.setAttribute("height", "12"); svg.setAttribute("viewBox", "0 0 34 12");
    var line = document.createElementNS(SVG, "line");
    line.setAttribute("x1", "1"); line.setAttribute("y1", "6"); line.setAttribute("x2", item.arrow ? "26" : "33"); line.setAttribute("y2", "6");
    line.setAttribute("stroke", item.color); line.setAttribute("stroke-width", String(item.width));
    if (item.dashes) { line.setAttribute("stroke-dasharray", Array.isArray(item.dashes) ? item.dashes.join(" ") : "5 4"); }
    svg.appendChild(line);
    if (item.arrow) {
      var head = document.createElementNS(SVG, "polygon");
      head.setAttribute("points", "25,1 33,6 25,11"); head.setAttribute("fill", item.color);
      svg.appendChild(head);
    }
    return svg;
  }
  var legend = document.getElementById("kg-legend");
  function legendList(title, items, icon, name) {
    if (!items.length) { return; }
    legend.appendChild(el("h2", null, title));
    var list = el("ul");
    items.forEach(function (item) {
      var li = el("li");
      li.appendChild(icon(item));
      li.appendChild(el("span", null, name(item)));
      li.appendChild(el("span", "count", fmt(item.count)));
      list.appendChild(li);
    });
    legend.appendChild(list);
  }
  legendList("Nodes", data.legend.nodes, function (i) { return shapeIcon(i.shape, i.color); }, function (i) { return i.label; });
  legendList("Relationships", data.legend.edges, lineIcon, function (i) { return i.type; });
  legend.appendChild(el("p", "hint", data.legend.hint));

  // Search: exact name or alias first, then prefix, then substring; focus and select the best.
  var names = document.getElementById("kg-names");
  var seen = {};
  data.nodes.forEach(function (n) {
    n.search.forEach(function (s) {
      if (seen[s]) { return; }
      seen[s] = true;
      var opt = document.createElement("option");
      opt.value = s;
      names.appendChild(opt);
    });
  });
  function find(query) {
    var q = String(query).trim().toLowerCase();
    if (!q) { return null; }
    var best = null, bestRank = 4;
    data.nodes.forEach(function (n) {
      var rank = 4;
      [n.id].concat(n.search).forEach(function (s) {
        var t = String(s).toLowerCase();
        if (t === q) { rank = Math.min(rank, 1); }
        else if (t.indexOf(q) === 0) { rank = Math.min(rank, 2); }
        else if (t.indexOf(q) > 0) { rank = Math.min(rank, 3); }
      });
      if (rank < bestRank || (rank === bestRank && rank < 4 && (n.value || 0) > (best.value || 0))) { best = n; bestRank = rank; }
    });
    return best;
  }
  page.find = find;
  page.focus = function (query) {
    var hit = find(query);
    status.className = hit ? "" : "miss";
    if (!hit) { status.textContent = "No node on this page matches “" + String(query).trim() + "”"; return null; }
    network.selectNodes([hit.id]);
    network.focus(hit.id, { scale: 1.3, animation: { duration: 300, easingFunction: "easeInOutQuad" } });
    status.textContent = hit.node_type + ": " + (hit.info.name || hit.info.title || hit.id);
    return hit.id;
  };
  document.getElementById("kg-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    page.focus(document.getElementById("kg-search").value);
  });
  document.getElementById("kg-fit").addEventListener("click", function () {
    network.unselectAll();
    network.fit({ animation: { duration: 300 } });
  });
})();
