/* 通办 Tongban: small enhancements of the catalogue pages. Every page works
 * without this file: the search form submits, the region picker submits, the
 * editor offers one blank row per list, the import page has a refresh link. */
(function () {
  "use strict";

  function each(selector, root, fn) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  /* ---- search suggestions: the ARIA 1.2 combobox with a listbox popup ---- */
  function initSuggest(box) {
    var input = box.querySelector("[data-suggest-input]");
    var list = box.querySelector("[data-suggest-list]");
    var status = box.querySelector("[data-suggest-status]");
    var url = box.getAttribute("data-suggest");
    if (!input || !list || !url || !window.fetch) return;
    var timer = null;
    var active = -1;
    var items = [];
    var lastQuery = "";
    var controller = null;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      list.innerHTML = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      items.forEach(function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      input.value = items[index].textContent;
      close();
      if (input.form) input.form.submit();
    }

    function show(names) {
      list.innerHTML = "";
      items = names.map(function (name, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = name;
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
          choose(i);
        });
        list.appendChild(li);
        return li;
      });
      active = -1;
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      if (status) {
        status.textContent = items.length ? "有 " + items.length + " 条搜索建议，可用上下方向键选择。" : "";
      }
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === lastQuery) return;
      lastQuery = q;
      if (!q) {
        close();
        return;
      }
      if (controller && controller.abort) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var target = url + "?q=" + encodeURIComponent(q.slice(0, 50));
      fetch(target, { headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (input.value.trim() === q) show(data.suggestions || []);
        })
        .catch(function () {
          /* offline or aborted: the form still submits */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && items.length) {
        event.preventDefault();
        highlight((active + 1) % items.length);
      } else if (event.key === "ArrowUp" && items.length) {
        event.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  /* ---- region picker: a changed level clears the levels beneath it ---- */
  function initRegionPicker(fieldset) {
    var selects = fieldset.querySelectorAll("select[data-region-level]");
    Array.prototype.forEach.call(selects, function (select, index) {
      select.addEventListener("change", function () {
        for (var i = index + 1; i < selects.length; i += 1) {
          selects[i].value = "";
          selects[i].disabled = true;
        }
      });
    });
  }

  /* ---- editor formsets: add a row from the empty-form template ---- */
  function initFormset(section) {
    var prefix = section.getAttribute("data-formset");
    var button = section.querySelector("[data-formset-add]");
    var template = section.querySelector("template[data-formset-template]");
    var rows = section.querySelector("[data-formset-rows]");
    var total = section.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    if (!button || !template || !rows || !total) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  }

  /* ---- import progress: poll the status until the import ends ---- */
  function initImportProgress(panel) {
    var url = panel.getAttribute("data-import-progress");
    var bar = panel.querySelector("[data-import-bar]");
    var label = panel.querySelector("[data-import-label]");
    var count = panel.querySelector("[data-import-count]");
    var refresh = panel.querySelector("[data-import-refresh]");
    if (!url || !window.fetch) return;
    if (refresh) refresh.hidden = true;
    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.json();
        })
        .then(function (state) {
          if (bar) bar.value = state.percent;
          if (label) label.textContent = state.label;
          if (count && state.total) count.textContent = "已处理 " + state.done + " / " + state.total + " 项";
          if (state.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1000);
          }
        })
        .catch(function () {
          if (refresh) refresh.hidden = false;
        });
    }
    window.setTimeout(poll, 500);
  }

  function init() {
    each("[data-suggest]", document, initSuggest);
    each("[data-region-picker]", document, initRegionPicker);
    each("[data-formset]", document, initFormset);
    each("[data-import-progress]", document, initImportProgress);
    each("[data-print]", document, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
