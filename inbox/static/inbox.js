// The inbox's few behaviours beyond htmx attributes. Everything works without this file.
(function () {
  "use strict";
  // A reply or note that went through: empty the textarea and any earlier error.
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (!e.detail.successful || !form.matches || !form.matches("form[data-clear-on-success]")) return;
    form.querySelectorAll("textarea").forEach(function (t) { t.value = ""; });
    form.querySelectorAll(".form-slot").forEach(function (s) { s.textContent = ""; });
  });
  // Server errors (5xx) and lost connections swap nothing: say so instead of staying silent.
  function failed(e) {
    if (e.type === "htmx:responseError" && e.detail.xhr.status < 500) return;
    if (e.detail.requestConfig && e.detail.requestConfig.verb === "get") return; // a missed poll
    var flash = document.getElementById("flash");
    if (!flash) return;
    var p = document.createElement("p");
    p.className = "form-error";
    p.setAttribute("role", "alert");
    p.textContent = flash.getAttribute("data-error-text");
    flash.replaceChildren(p);
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  // Ctrl+Enter (Cmd+Enter) sends the form a textarea belongs to.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && t.matches && t.matches("form textarea")) {
      e.preventDefault();
      t.form.requestSubmit();
    }
  });
})();
