/* <donation-progress fund="actimus"> (or appeal=, fundraiser=): live progress, no dependencies. */
(function () {
  "use strict";
  if (window.donationProgressLoaded) return;
  window.donationProgressLoaded = true;
  var TEST_MODE = false; // true in sandbox mode
  var script = document.currentScript;
  var origin = script ? new URL(script.src, location.href).origin : location.origin;

  // fit frames to their bars
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "donation-progress:height") return;
    var frames = document.getElementsByTagName("iframe");
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source && data.height > 0 && data.height < 2000) {
        frames[i].style.height = Math.ceil(data.height) + "px";
      }
    }
  });
  if (!window.customElements) return;
  var gbp = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" });
  var whole = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0 });
  function goalText(pence) {
    return (pence % 100 ? gbp : whole).format(pence / 100);
  }
  var css =
    ":host{display:block;overflow-wrap:anywhere;font:16px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:#0b0c0c}" +
    ".n{font-weight:700;font-size:1.05em;margin:0 0 .5em}" +
    ".t{height:.875em;background:#e8e6e3;border-radius:.4375em;overflow:hidden}" +
    ".f{height:100%;background:#00703c}.p{margin:.5em 0 .75em}" +
    "a{display:inline-flex;align-items:center;font-weight:700;color:#fff;background:#00703c;padding:0 1em;" +
    "min-height:44px;box-sizing:border-box;text-decoration:none;border-radius:.25em}" +
    "a[hidden]{display:none}a:hover{background:#005a30}" +
    "a:focus-visible{outline:3px solid #ffdd00;background:#ffdd00;color:#0b0c0c}" +
    ".m{display:inline-block;margin:0 0 .3em;padding:0 .4em;font-size:.8em;font-weight:700;background:#ffdd00;color:#0b0c0c}" +
    ".h{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}";

  function el(tag, cls, parent) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (parent) parent.appendChild(e);
    return e;
  }

  class DonationProgress extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      var root = this.attachShadow({ mode: "open" });
      if (root.adoptedStyleSheets && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
        var sheet = new CSSStyleSheet(); // passes a CSP that bars inline styles
        sheet.replaceSync(css);
        root.adoptedStyleSheets = [sheet];
      } else {
        el("style", null, root).textContent = css;
      }
      if (TEST_MODE) el("p", "m", root).textContent = "Test mode";
      this.name = el("p", "n", root);
      this.bar = el("div", "t", root);
      this.bar.setAttribute("role", "progressbar");
      this.bar.setAttribute("aria-valuemin", "0");
      this.bar.setAttribute("aria-valuemax", "100");
      this.fill = el("div", "f", this.bar);
      this.text = el("p", "p", root);
      this.text.textContent = "Loading progress…";
      this.link = el("a", null, root);
      this.link.target = "_blank";
      this.link.rel = "noopener";
      this.link.hidden = true;
      this.load();
      this.timer = setInterval(this.load.bind(this), 60000);
    }

    disconnectedCallback() {
      clearInterval(this.timer);
    }

    source() {
      var k = ["appeal", "fundraiser"].filter(this.hasAttribute, this)[0] || "fund";
      var path = { fund: "funds/", appeal: "appeals/", fundraiser: "fundraising/" }[k];
      return "/api/" + path + encodeURIComponent(this.getAttribute(k) || "");
    }

    load() {
      var self = this;
      fetch(origin + self.source())
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (p) { self.show(p); })
        .catch(function () { self.text.textContent = "Progress is not available just now."; });
    }

    show(p) {
      var shown = Math.min(p.percent, 100);
      var raised = gbp.format(p.raised_pence / 100);
      var goal = goalText(p.goal_pence);
      var words = raised + " raised of " + goal + " (" + p.percent + "%)";
      this.name.textContent = p.name;
      this.bar.setAttribute("aria-label", p.name);
      this.bar.setAttribute("aria-valuenow", String(shown));
      this.bar.setAttribute("aria-valuetext", words);
      this.fill.style.width = shown + "%";
      this.text.textContent = words + " + " + gbp.format(p.gift_aid_pence / 100) + " Gift Aid, from " +
        p.donor_count.toLocaleString("en-GB") + (p.donor_count === 1 ? " donor" : " donors");
      this.link.href = p.donate_url;
      this.link.textContent = "Give to " + (p.kind === "fund" ? "the " : "") + p.name;
      el("span", "h", this.link).textContent = " (opens in a new tab)";
      this.link.hidden = false;
    }
  }

  customElements.define("donation-progress", DonationProgress);
})();
