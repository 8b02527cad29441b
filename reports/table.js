(function () {
  "use strict";
  var table = document.getElementById("entries");
  if (!table) { return; }
  var body = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function key(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-value");
    if (raw === null) { raw = cell.textContent.trim(); }
    if (numeric) { return raw === "" ? null : parseFloat(raw); }
    return raw.toLowerCase();
  }

  function sortBy(index, numeric, descending) {
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, index, numeric);
      var y = key(b, index, numeric);
      if (x === y) { return 0; }
      if (x === null) { return 1; }  /* unknown sorts last either way */
      if (y === null) { return -1; }
      var order = x < y ? -1 : 1;
      return descending ? -order : order;
    });
    each(rows, function (row) { body.appendChild(row); });
  }

  each(headers, function (th, index) {
    var button = th.querySelector("button");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var numeric = th.getAttribute("data-sort") === "number";
      var current = th.getAttribute("aria-sort");
      var descending = current === "none" ? numeric : current === "ascending";
      each(headers, function (other) {
        if (other.hasAttribute("aria-sort")) { other.setAttribute("aria-sort", "none"); }
      });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      sortBy(index, numeric, descending);
    });
  });

  var search = document.getElementById("filter");
  var tier = document.getElementById("tier-filter");
  var shown = document.getElementById("shown");
  function applyFilter() {
    var needle = search ? search.value.trim().toLowerCase() : "";
    var wanted = tier ? tier.value : "";
    var count = 0;
    each(body.rows, function (row) {
      var text = row.getAttribute("data-search") || "";
      var visible = (!needle || text.indexOf(needle) !== -1) &&
        (!wanted || row.getAttribute("data-tier") === wanted);
      row.hidden = !visible;
      if (visible) { count += 1; }
    });
    if (shown) { shown.textContent = String(count); }
  }
  if (search) { search.addEventListener("input", applyFilter); }
  if (tier) { tier.addEventListener("change", applyFilter); }
}());
