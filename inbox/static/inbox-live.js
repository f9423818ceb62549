// Live updates over Server-Sent Events (GET /live, inbox/live.py). Events carry only ids: the
// list refetches itself (#inbox, the same URL as the page) and a ticket page its timeline.
// Without EventSource or JavaScript the pages still work (the timeline polls; the list reloads).
(function () {
  "use strict";
  if (!window.EventSource || !window.htmx) return;
  var list = document.getElementById("inbox"); // the list page (its state: #list-state)
  var ticket = document.querySelector("[data-live-ticket]");
  if (!list && !ticket) return;
  var pending = null;
  function refreshList() {
    pending = null;
    var state = document.getElementById("list-state"); // swapped with the list: current filters
    if (!state) return;
    if (state.getAttribute("data-first-page") !== "true") {
      document.getElementById("live-note").hidden = false; // a later page would jump: only say so
      return;
    }
    // Not while a filter is being chosen: the swap would close the open select.
    var active = document.activeElement;
    if (active && active.tagName === "SELECT" && list.contains(active)) { pending = setTimeout(refreshList, 1500); return; }
    htmx.ajax("GET", state.getAttribute("data-live-list"), { target: "#inbox", swap: "innerHTML" });
  }
  function refreshTicket() {
    var timeline = document.getElementById("timeline");
    if (timeline && timeline.getAttribute("hx-get")) {
      htmx.ajax("GET", timeline.getAttribute("hx-get"), { target: "#timeline", swap: "outerHTML" });
    }
  }
  var source = new EventSource("/live");
  source.addEventListener("ticket", function (e) {
    var data;
    try { data = JSON.parse(e.data); } catch (err) { return; }
    if (list && !pending) pending = setTimeout(refreshList, 300); // a burst becomes one refetch
    if (ticket && String(data.ticket) === ticket.getAttribute("data-live-ticket")) refreshTicket();
  });
})();
