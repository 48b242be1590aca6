// The inbox's keyboard: j/k (or the arrow keys) move through the queue, Enter opens the
// row, x ticks its box, / goes to the search. Everything works without this script.
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.row")); }
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function current(list) { return list.findIndex(function (r) { return r.classList.contains("current"); }); }
  function move(list, to) {
    list.forEach(function (r) { r.classList.remove("current"); r.removeAttribute("aria-selected"); });
    var row = list[to];
    if (!row) return;
    row.classList.add("current");
    row.setAttribute("aria-selected", "true");
    var link = row.querySelector("a");
    if (link) link.focus();
  }
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || typing(e)) return;
    var list = rows();
    if (e.key === "/") {
      var search = document.getElementById("q");
      if (search) { e.preventDefault(); search.focus(); }
      return;
    }
    if (!list.length) return;
    var at = current(list);
    if (at < 0) {
      at = list.findIndex(function (r) { return r.contains(document.activeElement); });
    }
    if (e.key === "j" || e.key === "ArrowDown") {
      e.preventDefault();
      move(list, Math.min(at + 1, list.length - 1));
    } else if (e.key === "k" || e.key === "ArrowUp") {
      e.preventDefault();
      move(list, Math.max(at - 1, 0));
    } else if (e.key === "Enter" && at >= 0 && document.activeElement === document.body) {
      var link = list[at].querySelector("a");
      if (link) link.click();
    } else if (e.key === "x" && at >= 0) {
      var box = list[at].querySelector("input[type=checkbox]");
      if (box) { e.preventDefault(); box.checked = !box.checked; }
    }
  });
})();
