/* 通办 Tongban: the large-text (适老化) switch. Without JavaScript the same
 * button posts a form and the server sets the cookie; with it, the page
 * changes at once, without a reload. */
(function () {
  "use strict";
  var COOKIE = "tb_large_text";

  function setCookie(on) {
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    if (on) {
      document.cookie = COOKIE + "=1; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
    } else {
      document.cookie = COOKIE + "=; Path=/; Max-Age=0; SameSite=Lax" + secure;
    }
  }

  function init() {
    var forms = document.querySelectorAll("[data-large-text-form]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var root = document.documentElement;
        var on = !root.classList.contains("large-text");
        root.classList.toggle("large-text", on);
        setCookie(on);
        var buttons = document.querySelectorAll("[data-large-text-toggle]");
        Array.prototype.forEach.call(buttons, function (button) {
          button.setAttribute("aria-pressed", on ? "true" : "false");
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
