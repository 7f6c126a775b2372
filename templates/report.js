// scc report.html: tabs, filters, sorting and row details. It only reads and sets textContent,
// attributes, hidden flags and row order: it never builds HTML from text, and fetches nothing.
(function () {
  "use strict";

  function sections() { return Array.prototype.slice.call(document.querySelectorAll("section.panel")); }
  function tabs() { return Array.prototype.slice.call(document.querySelectorAll("a.tab")); }

  function show(id) {
    var found = sections().some(function (s) { return s.id === id; });
    if (!found) { id = "overview"; }
    sections().forEach(function (s) { s.hidden = s.id !== id; });
    tabs().forEach(function (t) {
      if (t.getAttribute("data-section") === id) { t.setAttribute("aria-current", "page"); }
      else { t.removeAttribute("aria-current"); }
    });
  }

  function sectionOf(node) {
    while (node && !(node.classList && node.classList.contains("panel"))) { node = node.parentNode; }
    return node;
  }

  function route() {
    var target = decodeURIComponent(location.hash.replace(/^#/, ""));
    var element = target ? document.getElementById(target) : null;
    var panel = element ? sectionOf(element) : null;
    show(panel ? panel.id : target);
    if (element && panel && element !== panel) { element.classList.add("target"); element.scrollIntoView(); }
  }

  function records(table) { return Array.prototype.slice.call(table.querySelectorAll("tbody.rec")); }

  function applyFilters(tools) {
    var table = document.getElementById(tools.getAttribute("data-table"));
    var needle = tools.querySelector("input.search").value.trim().toLowerCase();
    var facets = Array.prototype.slice.call(tools.querySelectorAll("select.facet"));
    var shown = 0;
    var all = records(table);
    all.forEach(function (rec) {
      var keep = !needle || rec.textContent.toLowerCase().indexOf(needle) !== -1;
      facets.forEach(function (facet) {
        if (facet.value && rec.getAttribute("data-" + facet.getAttribute("data-attr")) !== facet.value) { keep = false; }
      });
      rec.hidden = !keep;
      if (keep) { shown += 1; }
    });
    tools.querySelector(".count").textContent = shown + " of " + all.length + " rows";
  }

  function sortValue(rec, column) {
    var cell = rec.querySelector("tr.summary").children[column];
    if (!cell) { return ""; }
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim().toLowerCase();
  }

  function compare(a, b) {
    var x = Number(a), y = Number(b);
    if (a !== "" && b !== "" && !isNaN(x) && !isNaN(y)) { return x - y; }
    return a < b ? -1 : (a > b ? 1 : 0);
  }

  function sortBy(button) {
    var table = button.closest("table");
    var column = Number(button.getAttribute("data-col"));
    var direction = button.getAttribute("data-dir") === "asc" ? "desc" : "asc";
    Array.prototype.slice.call(table.querySelectorAll("button.sort")).forEach(function (b) {
      b.removeAttribute("data-dir");
      b.parentNode.removeAttribute("aria-sort");
    });
    button.setAttribute("data-dir", direction);
    button.parentNode.setAttribute("aria-sort", direction === "asc" ? "ascending" : "descending");
    var keyed = records(table).map(function (rec, index) { return [sortValue(rec, column), index, rec]; });
    keyed.sort(function (p, q) {
      var order = compare(p[0], q[0]);
      if (direction === "desc") { order = -order; }
      return order || p[1] - q[1];
    });
    keyed.forEach(function (entry) { table.appendChild(entry[2]); });
  }

  function toggle(summary) {
    var detail = summary.nextElementSibling;
    if (!detail || !detail.classList.contains("detail")) { return; }
    detail.hidden = !detail.hidden;
    summary.setAttribute("aria-expanded", detail.hidden ? "false" : "true");
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    var button = target.closest && target.closest("button.sort");
    if (button) { sortBy(button); return; }
    if (target.closest && target.closest("a")) { return; }
    var summary = target.closest && target.closest("tr.summary");
    if (summary) { toggle(summary); }
  });
  document.addEventListener("keydown", function (event) {
    var summary = event.target.closest && event.target.closest("tr.summary");
    if (summary && (event.key === "Enter" || event.key === " ")) { event.preventDefault(); toggle(summary); }
  });
  Array.prototype.slice.call(document.querySelectorAll(".tools")).forEach(function (tools) {
    tools.querySelector("input.search").addEventListener("input", function () { applyFilters(tools); });
    Array.prototype.slice.call(tools.querySelectorAll("select.facet")).forEach(function (facet) {
      facet.addEventListener("change", function () { applyFilters(tools); });
    });
    applyFilters(tools);
  });
  window.addEventListener("hashchange", route);
  route();
}());
