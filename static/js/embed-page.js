// Keeps the framed progress bar current without reloading the page, and tells the page that
// frames it how tall it is, so the frame can fit its content (embed.js listens for this).
(function () {
  "use strict";
  var root = document.querySelector(".embed");
  if (!root) return;
  var bar = root.querySelector("[role=progressbar]");
  var fill = root.querySelector(".embed__fill");
  var money = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" });
  var whole = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", minimumFractionDigits: 0, maximumFractionDigits: 0 });

  function tellHeight() {
    if (window.parent === window) return;
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ type: "donation-progress:height", height: height }, "*");
  }

  function set(field, text) {
    var el = root.querySelector("[data-field=" + field + "]");
    if (el && el.textContent !== text) el.textContent = text;
  }

  function goal(pence) {
    return pence % 100 === 0 ? whole.format(pence / 100) : money.format(pence / 100);
  }

  function show(p) {
    var raised = money.format(p.raised_pence / 100);
    var shown = Math.min(p.percent, 100);
    set("raised", raised);
    set("goal", goal(p.goal_pence));
    set("percent", String(p.percent));
    set("gift_aid", money.format(p.gift_aid_pence / 100));
    set("donors", p.donor_count.toLocaleString("en-GB") + (p.donor_count === 1 ? " donor" : " donors"));
    bar.setAttribute("aria-valuenow", String(shown));
    bar.setAttribute("aria-valuetext", raised + " raised of " + goal(p.goal_pence) + " (" + p.percent + "%)");
    fill.setAttribute("width", String(shown));
    tellHeight();
  }

  function refresh() {
    fetch(root.dataset.api, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) { if (p) show(p); })
      .catch(function () {});
  }

  if (window.ResizeObserver) new ResizeObserver(tellHeight).observe(document.documentElement);
  window.addEventListener("load", tellHeight);
  tellHeight();
  if (window.fetch) setInterval(refresh, 30000);
})();
