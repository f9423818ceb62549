// Keyboard use of the ticket list: j/k move between tickets, Enter opens (the row is a link),
// "/" jumps to the search box. Keys typed into a form field are left alone.
(function () {
  "use strict";
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#ticket-rows > li > a")); }
  function typing(t) { return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)); }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (e.key === "/") {
      var q = document.getElementById("f-q");
      if (q) { e.preventDefault(); q.focus(); q.select(); }
      return;
    }
    if (e.key !== "j" && e.key !== "k") return;
    var list = rows();
    if (!list.length) return;
    var at = list.indexOf(document.activeElement);
    var next = at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + (e.key === "j" ? 1 : -1)));
    e.preventDefault();
    list[next].focus();
    list[next].scrollIntoView({ block: "nearest" });
  });
})();
