// heiki report: draws the flows behind a verdict on the architecture picture. No network, no
// library; all text from the input is set with textContent, never parsed as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("heiki-data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var MARK = { ok: "\u2713", bad: "\u2717", unknown: "?" };
  var RANK = { ok: 1, unknown: 2, bad: 3 };
  var overlay = document.getElementById("overlay");
  var body = document.getElementById("trace-body");
  var marked = {};

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function clear() {
    Object.keys(marked).forEach(function (id) {
      var node = document.getElementById(id);
      if (node) {
        node.classList.remove("hl-ok", "hl-bad", "hl-unknown");
        var mark = node.querySelector(".mark");
        if (mark) { mark.textContent = ""; }
      }
    });
    marked = {};
    while (overlay.firstChild) { overlay.removeChild(overlay.firstChild); }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    Array.prototype.forEach.call(document.querySelectorAll("button.select[aria-pressed=true]"),
      function (button) { button.setAttribute("aria-pressed", "false"); });
  }

  function mark(id, status) {
    var node = document.getElementById(id);
    if (!node) { return; }
    if (marked[id] && RANK[marked[id]] >= RANK[status]) { return; }
    node.classList.remove("hl-ok", "hl-bad", "hl-unknown");
    node.classList.add("hl-" + status);
    var text = node.querySelector(".mark");
    if (text) { text.textContent = MARK[status]; }
    marked[id] = status;
  }

  function center(id) {
    var node = document.getElementById(id);
    var rect = node && node.querySelector("rect");
    if (!rect) { return null; }
    var x = Number(rect.getAttribute("x")), y = Number(rect.getAttribute("y"));
    return [x + Number(rect.getAttribute("width")) / 2, y + Number(rect.getAttribute("height")) / 2];
  }

  function draw(flow) {
    var previous = null;
    flow.hops.forEach(function (hop) {
      hop.elements.forEach(function (id) {
        mark(id, hop.status);
        var point = center(id);
        if (point && previous && (point[0] !== previous[0] || point[1] !== previous[1])) {
          var line = document.createElementNS(NS, "polyline");
          line.setAttribute("class", "path " + hop.status);
          line.setAttribute("points", previous.join(",") + " " + point.join(","));
          overlay.appendChild(line);
        }
        if (point) { previous = point; }
      });
    });
  }

  function describe(flow) {
    var box = element("div", "flow");
    var head = element("p");
    head.appendChild(element("strong", "", flow.title + ": "));
    var verdict = { delivered: "\u2713 delivered", dropped: "\u2717 dropped", unknown: "? unknown" };
    head.appendChild(element("span", "verdict-" + flow.verdict, verdict[flow.verdict] || flow.verdict));
    head.appendChild(document.createTextNode(" (" + flow.reason + ")"));
    box.appendChild(head);
    var list = element("ol");
    flow.hops.forEach(function (hop) {
      var item = element("li", "", hop.node + " " + MARK[hop.status]);
      if (hop.steps.length) {
        var steps = element("ul");
        hop.steps.forEach(function (step) {
          var text = step.kind + ": " + step.detail + " [" + step.action + "]";
          var line = element("li", "step" + (step.deciding ? " deciding" : ""),
            (step.deciding ? "deciding step \u2192 " : "") + text);
          if (step.where) { line.appendChild(element("span", "where", "  " + step.where)); }
          steps.appendChild(line);
        });
        item.appendChild(steps);
      }
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function select(key, button) {
    clear();
    var selection = data.selections[key];
    if (!selection) { return false; }
    if (button) { button.setAttribute("aria-pressed", "true"); }
    body.appendChild(element("h3", "", button ? button.textContent : key));
    selection.elements.forEach(function (id) { mark(id, "bad"); });
    selection.flows.forEach(function (index) {
      var flow = data.flows[index];
      draw(flow);
      body.appendChild(describe(flow));
    });
    if (selection.more) {
      body.appendChild(element("p", "", selection.more + " more flow(s) like these are in the JSON report."));
    }
    if (!selection.flows.length && !selection.elements.length) {
      body.appendChild(element("p", "", "Nothing to draw: no flow or drawn resource behind this item."));
    }
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", "#select=" + encodeURIComponent(key)); } catch (e) { /* file: URLs */ }
    }
    return true;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.select") : null;
    if (button) { select(button.getAttribute("data-select"), button); }
    var fit = event.target.closest ? event.target.closest("button.fit") : null;
    if (fit) {
      var fitted = document.getElementById("diagram").classList.toggle("fit");
      fit.setAttribute("aria-pressed", fitted ? "true" : "false");
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { clear(); }
  });

  function filter(selector, attribute, rows) {
    var shown = {};
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (box) {
      shown[box.value] = box.checked;
    });
    Array.prototype.forEach.call(document.querySelectorAll(rows), function (row) {
      row.classList.toggle("hidden", shown[row.getAttribute(attribute)] === false);
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.classList.contains("loop-filter")) { filter(".loop-filter", "data-loop", "tr[data-loop]"); }
    if (event.target.classList.contains("severity-filter")) { filter(".severity-filter", "data-severity", "li[data-severity]"); }
  });

  var wanted = /^#select=(.*)$/.exec(window.location.hash);
  if (wanted) {
    var key = decodeURIComponent(wanted[1]);
    var button = null;
    Array.prototype.forEach.call(document.querySelectorAll("button.select"), function (candidate) {
      if (candidate.getAttribute("data-select") === key) { button = candidate; }
    });
    select(key, button);
  }
}());
