// Progressive help on the donation form: the form works fully without this script.
(function () {
  "use strict";
  var form = document.querySelector(".donate-form");
  if (!form) return;
  var rate = parseInt(form.dataset.feeRate, 10);
  var fixed = parseInt(form.dataset.feeFixed, 10);
  var live = document.getElementById("cover-live");
  var other = document.getElementById("other_amount");
  var cover = document.getElementById("cover_fees");
  var amountPattern = /^£?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]{1,2}))?$/;

  function giftPence() {
    var chosen = form.querySelector("input[name=amount]:checked");
    if (!chosen) return null;
    if (chosen.value !== "other") return parseInt(chosen.value, 10) * 100;
    var match = amountPattern.exec((other.value || "").trim());
    if (!match) return null;
    var pence = (match[2] || "0").padEnd(2, "0");
    return parseInt(match[1].replace(/,/g, ""), 10) * 100 + parseInt(pence, 10);
  }

  function coverPence(gift) {
    var numerator = (gift + fixed) * 10000;
    var denominator = 10000 - rate;
    return Math.ceil(numerator / denominator) - gift;
  }

  function pounds(pence) {
    return "£" + Math.floor(pence / 100).toLocaleString("en-GB") + "." + String(pence % 100).padStart(2, "0");
  }

  function update() {
    var gift = giftPence();
    if (gift === null || gift < 100 || gift > 2500000) {
      live.textContent = "";
      return;
    }
    var add = coverPence(gift);
    live.textContent = (cover.checked ? "Adding " : "Adds ") + pounds(add) + ": " +
      pounds(gift + add) + " in all.";
  }

  // Show the amount tiles of the frequency chosen, and say so to the server (without this
  // script the tiles stay those of the frequency the page was made for, and the server asks
  // again rather than guess); keep a choice that is still shown.
  var amountsFor = document.getElementById("amounts_for");
  function showTilesFor(frequency) {
    var groups = form.querySelectorAll(".tiles[data-frequency]");
    groups.forEach(function (group) {
      group.hidden = group.dataset.frequency !== frequency;
    });
    amountsFor.value = frequency;
    var chosen = form.querySelector("input[name=amount]:checked");
    if (!chosen || chosen.closest(".tiles[hidden]")) {
      var fallback = form.querySelector(".tiles:not([hidden]) input[data-default]");
      if (fallback) fallback.checked = true;
    }
  }

  // "Another amount" reveals its box inside its own option (GOV.UK's conditional reveal). A
  // box that is not shown is not sent, so an amount typed and then left is never charged.
  var otherChoice = form.querySelector("input[name=amount][value=other]");
  var reveal = document.getElementById(otherChoice.dataset.reveals);
  otherChoice.setAttribute("aria-controls", reveal.id);
  function showOther() {
    var chosen = otherChoice.checked;
    reveal.hidden = !chosen;
    other.disabled = !chosen;
  }
  // Typing there is choosing it, whatever was chosen before.
  other.addEventListener("input", function () {
    if (!otherChoice.checked) {
      otherChoice.checked = true;
      showOther();
    }
  });

  function frequency() {
    var chosen = form.querySelector("input[name=frequency]:checked");
    return chosen ? chosen.value : "one-off";
  }

  // The Gift Aid address is asked for only once the declaration is ticked.
  var giftAid = document.getElementById("gift_aid");
  var address = document.getElementById("gift-aid-address");
  function showAddress() {
    var hasError = address.querySelector(".field--error");
    address.hidden = !giftAid.checked && !hasError;
  }

  // A donor abroad sees how much of HMRC's 40 characters the house and address take.
  var house = document.getElementById("house");
  var rest = document.getElementById("address");
  var overseas = document.getElementById("overseas");
  var count = document.getElementById("address-count");
  function countAddress() {
    count.hidden = !overseas.checked;
    if (!overseas.checked) return;
    var printed = [house.value, rest.value].map(function (part) { return part.trim(); })
      .filter(Boolean).join(", ").replace(/\s+/g, " ");
    var left = 40 - printed.length;
    count.textContent = left >= 0
      ? printed.length + " of 40 characters, with the house"
      : printed.length + " characters, with the house: " + -left + " too many for HMRC's 40";
  }
  [house, rest].forEach(function (box) { box.addEventListener("input", countAddress); });
  overseas.addEventListener("change", countAddress);
  countAddress();

  form.addEventListener("change", function (event) {
    if (event.target.name === "frequency") showTilesFor(frequency());
    if (event.target.name === "amount" || event.target.name === "frequency") showOther();
    if (event.target === giftAid) showAddress();
  });
  // The tiles follow the frequency chosen, so "For a single gift" says nothing more; a
  // recurring gift's heading still says it is taken until the donor stops it.
  form.querySelectorAll(".tiles[data-frequency='one-off'] .tiles__heading").forEach(
    function (heading) { heading.hidden = true; }
  );
  showTilesFor(frequency());
  showOther();
  showAddress();

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
