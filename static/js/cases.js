/* 通办 Tongban: case forms. Everything works without this file; with it, a
 * form marked data-once-form cannot be sent twice by a double click (the
 * server also refuses a repeated application token), and a form with
 * data-confirm asks first. */
(function () {
  "use strict";

  function init() {
    var forms = document.querySelectorAll("form[data-once-form], form[data-confirm]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        var question = form.getAttribute("data-confirm");
        if (question && !window.confirm(question)) {
          event.preventDefault();
          return;
        }
        if (!form.hasAttribute("data-once-form")) {
          return;
        }
        if (form.getAttribute("data-sent") === "1") {
          event.preventDefault();
          return;
        }
        form.setAttribute("data-sent", "1");
        var buttons = form.querySelectorAll("[data-once-button]");
        Array.prototype.forEach.call(buttons, function (button) {
          button.setAttribute("aria-disabled", "true");
          button.classList.add("is-busy");
          button.textContent = "正在提交…";
        });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
