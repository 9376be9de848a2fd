// Warn before leaving an edit page whose form holds changes that were not saved. Saving (any
// of the form's buttons, "Save and submit" included) leaves without a warning. The page works
// the same without this script; it only adds the warning.
(function () {
  "use strict";
  // The form is named by the script tag (the admin's CSP allows no inline script to mark it).
  var script = document.currentScript;
  var form = script && document.getElementById(script.getAttribute("data-form") || "");
  if (!form) {
    return;
  }
  var dirty = false;
  var submitting = false;
  function touched(event) {
    var field = event.target;
    if (field.form === form || form.contains(field)) {
      dirty = true;
      form.setAttribute("data-unsaved", "true");
    }
  }
  document.addEventListener("input", touched, true);
  document.addEventListener("change", touched, true);
  form.addEventListener("submit", function () {
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
