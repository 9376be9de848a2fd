// The soft editing lock of this edit page (reports.editions.locks): taken at the first change
// typed, renewed while the page stays open; when someone else holds it, say who. Without the
// script nobody holds it, and the save's version check alone prevents lost edits.
(function () {
  "use strict";
  var script = document.getElementById("editing-lock-script");
  var form = document.getElementById("edition_form");
  var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
  if (!script || !token) {
    return;
  }
  var url = script.getAttribute("data-url");
  var seconds = parseInt(script.getAttribute("data-seconds"), 10) || 40;
  var timer = null;
  function notice(text) {
    var box = document.getElementById("editing-lock");
    if (!box) {
      box = document.createElement("div");
      box.id = "editing-lock";
      box.className = "editing-lock";
      box.setAttribute("role", "status");
      box.style.cssText = "background: var(--message-warning-bg, #ffc); padding: 8px 12px; margin-bottom: 12px";
      var content = document.getElementById("content-main") || document.body;
      content.parentNode.insertBefore(box, content);
    }
    box.textContent = text;
  }
  function renew() {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token.value);
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && state.holder) {
          notice(state.holder + " is editing this draft since " + state.since +
            ". Agree who goes first: if you both save, the later save is refused.");
        }
      })
      .catch(function () {});
  }
  function start(event) {
    if (timer !== null || !(event.target.form === form || form.contains(event.target))) {
      return;
    }
    renew();
    timer = window.setInterval(renew, seconds * 1000);
  }
  document.addEventListener("input", start, true);
  document.addEventListener("change", start, true);
})();
