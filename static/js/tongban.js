/* 通办 Tongban: the 适老化 switches and the phone menu.
 *
 * 大字模式, 高对比度 and 朗读: without JavaScript each button posts a form and
 * the server sets its cookie; with it, the page changes at once, without a
 * reload, and the cookie keeps the choice. 高对比度 and 朗读 are offered with
 * large text. 朗读 speaks, with the browser's own speech synthesis, the text
 * the user taps or moves the keyboard focus to, and the whole page on demand.
 *
 * 菜单: on a phone the main navigation folds behind one button, so the page's
 * content starts within the first screen; without JavaScript it stays open. */
(function () {
  "use strict";
  var SETTINGS = {
    "large-text": { cookie: "tb_large_text", label: "大字模式" },
    "high-contrast": { cookie: "tb_contrast", label: "高对比度" },
    "read-aloud": { cookie: "tb_read_aloud", label: "朗读（点按文字即可朗读）" }
  };
  var ORDER = ["large-text", "high-contrast", "read-aloud"];
  var root = document.documentElement;

  function setCookie(name, on) {
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    if (on) {
      document.cookie = name + "=1; Path=/; Max-Age=31536000; SameSite=Lax" + secure;
    } else {
      document.cookie = name + "=; Path=/; Max-Age=0; SameSite=Lax" + secure;
    }
  }

  function isOn(name) {
    return root.classList.contains(name);
  }

  function showState() {
    var on = ORDER.filter(isOn);
    var elder = on.length > 0;
    document.querySelectorAll(".display-extra").forEach(function (form) {
      form.hidden = !elder;
    });
    var status = document.querySelector("[data-display-status]");
    if (status) {
      status.hidden = !elder;
      var list = status.querySelector("[data-display-on]");
      if (list) {
        list.textContent = on.map(function (name) { return SETTINGS[name].label; }).join(" ");
      }
    }
    var readPage = document.querySelector("[data-read-page]");
    if (readPage) {
      readPage.hidden = !isOn("read-aloud");
    }
  }

  // ---- 朗读 (read-aloud) ---------------------------------------------------
  var READABLE = "h1, h2, h3, p, li, dt, dd, th, td, label, legend, a, button, summary";

  function speak(text) {
    if (!("speechSynthesis" in window) || !text) {
      return false;
    }
    var utterance = new window.SpeechSynthesisUtterance(text.slice(0, 1000));
    utterance.lang = "zh-CN";
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
    return true;
  }

  function readTarget(event) {
    if (!isOn("read-aloud") || !event.target.closest) {
      return;
    }
    var element = event.target.closest(READABLE);
    if (element && !element.closest("[data-display-form], [data-read-page]")) {
      speak((element.innerText || element.textContent || "").trim());
    }
  }

  function readPage() {
    var main = document.getElementById("main");
    var ok = speak(main ? (main.innerText || "").trim() : "");
    if (!ok) {
      window.alert("您的浏览器不支持朗读。");
    }
  }

  // ---- the switches ----------------------------------------------------------
  function initSwitches() {
    document.querySelectorAll("[data-display-form]").forEach(function (form) {
      var name = form.getAttribute("data-display-form");
      var setting = SETTINGS[name];
      if (!setting) {
        return;
      }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var on = !isOn(name);
        root.classList.toggle(name, on);
        setCookie(setting.cookie, on);
        form.querySelectorAll("button").forEach(function (button) {
          button.setAttribute("aria-pressed", on ? "true" : "false");
        });
        if (name === "read-aloud") {
          if (on) {
            speak("朗读已开启，点按文字即可朗读。");
          } else if ("speechSynthesis" in window) {
            window.speechSynthesis.cancel();
          }
        }
        showState();
      });
    });
    var button = document.querySelector("[data-read-page]");
    if (button) {
      button.addEventListener("click", readPage);
    }
    document.addEventListener("click", readTarget);
    document.addEventListener("focusin", readTarget);
  }

  // ---- 菜单 (the phone menu) -------------------------------------------------
  function initMenu() {
    var toggle = document.querySelector("[data-nav-toggle]");
    var nav = document.querySelector(".site-nav");
    if (!toggle || !nav) {
      return;
    }
    nav.classList.add("nav-collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("nav-open", open);
    });
  }

  function init() {
    initSwitches();
    initMenu();
    showState();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
