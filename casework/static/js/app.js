/* casework — small progressive enhancements; every page works without this file.
   Served from /static (the CSP forbids inline scripts and other origins). */
(function () {
  "use strict";

  /* On a narrow screen the menu folds behind a button; keyboard and screen readers get
     aria-expanded. Without JavaScript the menu simply stays open. */
  function setUpMenu() {
    var button = document.querySelector(".menu-toggle");
    var nav = document.getElementById("site-nav");
    if (!button || !nav) { return; }
    var narrow = window.matchMedia("(max-width: 47.99rem)");
    function apply() {
      if (narrow.matches) {
        button.hidden = false;
        var open = button.getAttribute("aria-expanded") === "true" && nav.dataset.touched === "1";
        nav.classList.toggle("is-collapsed", !open);
        button.setAttribute("aria-expanded", open ? "true" : "false");
      } else {
        button.hidden = true;
        nav.classList.remove("is-collapsed");
      }
    }
    button.addEventListener("click", function () {
      nav.dataset.touched = "1";
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("is-collapsed", !open);
      if (open) {
        var first = nav.querySelector("a, button");
        if (first) { first.focus(); }
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches && !nav.classList.contains("is-collapsed")) {
        nav.classList.add("is-collapsed");
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
    if (narrow.addEventListener) { narrow.addEventListener("change", apply); }
    apply();
  }

  /* The intake form shows the details of the chosen case type only. */
  function setUpIntake() {
    var select = document.querySelector(".case-form select[name='case_type']");
    if (!select) { return; }
    var groups = document.querySelectorAll("[data-for-types]");
    function apply() {
      groups.forEach(function (group) {
        var types = group.getAttribute("data-for-types").split(" ");
        group.hidden = types.indexOf(select.value) === -1;
      });
    }
    select.addEventListener("change", apply);
    apply();
  }

  /* After a refused action, bring its message into view and focus it. When the summary names
     a form further down the page (a case page has many), go to that form's first field in
     error instead, so a person on a phone does not have to look for it. */
  function focusErrors() {
    var summary = document.querySelector(".error-summary");
    if (!summary) { return; }
    var link = summary.querySelector("a[href^='#form-']");
    var form = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
    var field = form ? form.querySelector("[aria-invalid='true']") : null;
    if (field) {
      field.scrollIntoView({block: "center"});
      field.focus({preventScroll: true});
    } else if (form) {
      form.scrollIntoView();
      summary.focus({preventScroll: true});
    } else {
      summary.focus();
    }
  }

  /* The new support item form shows the loan, training and job details of the chosen kind. */
  function setUpSupportKinds() {
    document.querySelectorAll(".support-kind-form").forEach(function (form) {
      var select = form.querySelector("select[name='kind']");
      if (!select) { return; }
      var groups = form.querySelectorAll("[data-for-kinds]");
      function apply() {
        groups.forEach(function (group) {
          var kinds = group.getAttribute("data-for-kinds").split(" ");
          var show = kinds.indexOf(select.value) !== -1;
          group.hidden = !show;
          group.querySelectorAll("input, select, textarea").forEach(function (input) {
            input.disabled = !show;  // a hidden detail is not sent
          });
        });
      }
      select.addEventListener("change", apply);
      apply();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    setUpIntake();
    setUpSupportKinds();
    focusErrors();
  });
})();
