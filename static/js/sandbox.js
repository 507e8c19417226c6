// The practice checkout shows only the fields of the payment method chosen (all without this).
(function () {
  "use strict";
  var form = document.querySelector(".sandbox-form");
  if (!form) return;
  function show() {
    var chosen = form.querySelector("input[name=method]:checked");
    var method = chosen ? chosen.value : "card";
    form.querySelectorAll(".pay-method").forEach(function (block) {
      block.hidden = block.dataset.method !== method && !block.querySelector(".field--error");
    });
  }
  form.addEventListener("change", show);
  show();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
