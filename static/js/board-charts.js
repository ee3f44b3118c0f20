/* The indicators board's charts with Apache ECharts (static/vendor, served by
   tongban.core.staticfinders). Each chart's option is in a JSON script beside
   it; the server-drawn SVG under it stays for pages without script and print. */
(function () {
  "use strict";
  var echarts = window.echarts;
  if (!echarts) {
    return;
  }
  var charts = [];
  document.querySelectorAll("[data-echarts]").forEach(function (box) {
    var source = document.getElementById(box.getAttribute("data-echarts"));
    if (!source) {
      return;
    }
    var rows = parseInt(box.getAttribute("data-height"), 10) || 2;
    box.hidden = false;
    box.style.width = "100%";
    box.style.height = 44 * rows + 16 + "px";
    var chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption(JSON.parse(source.textContent));
    box.setAttribute("data-rendered", "echarts");
    var fallback = box.parentNode.querySelector(".board-chart-svg");
    if (fallback) {
      fallback.classList.add("print-only");
    }
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) {
      chart.resize();
    });
  });
})();
