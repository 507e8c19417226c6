// Copy buttons on the embed builder: copy a snippet and say so (the snippets stay selectable
// by hand without this script).
(function () {
  "use strict";
  var status = document.getElementById("copy-status");

  function copied(button, ok) {
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    button.textContent = ok ? "Copied" : "Select the text and copy it";
    status.textContent = ok ? "Copied to the clipboard." : "Could not copy: select the text and copy it.";
    setTimeout(function () { button.textContent = label; }, 3000);
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      field.focus();
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { copied(button, true); },
          function () { copied(button, document.execCommand("copy")); }
        );
      } else {
        copied(button, document.execCommand("copy"));
      }
    });
  });
})();
