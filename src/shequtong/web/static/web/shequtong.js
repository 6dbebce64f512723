// 社区通 console behaviour shared by every page: toasts and boundary maps. No inline scripts,
// so the pages work under a strict Content-Security-Policy.
(function () {
  "use strict";

  function toast(message, level) {
    var box = document.getElementById("toasts");
    if (!box || !message) return;
    var item = document.createElement("div");
    item.className = "toast" + (level ? " toast-" + level : "");
    item.setAttribute("role", "status");
    item.textContent = message;
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 5000);
  }

  // Services answer HTMX requests with `HX-Trigger: {"toast": {"message": …, "level": …}}`.
  document.body.addEventListener("toast", function (event) {
    toast(event.detail.message, event.detail.level);
  });
  // A failed HTMX request still tells the user what happened, in Chinese.
  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.getResponseHeader("HX-Trigger")) return; // the server sent a toast
    var text = "操作失败（" + event.detail.xhr.status + "）";
    try {
      var body = JSON.parse(event.detail.xhr.responseText);
      if (body.message) text = body.message;
    } catch (e) { /* an HTML error page: keep the status */ }
    toast(text, "error");
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast("网络连接失败，请稍后重试", "error");
  });

  // <select data-autosubmit> submits its form on change (the area switcher).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });

  // Boundary maps: <div class="map" data-geojson-id="ID"> with a json_script element of that id
  // holding a FeatureCollection. No tile layer unless the deployment configures an intranet one,
  // so a map never reaches for the internet.
  function drawMaps() {
    if (typeof L === "undefined") return;
    document.querySelectorAll(".map[data-geojson-id]").forEach(function (el) {
      var source = document.getElementById(el.dataset.geojsonId);
      if (!source || el.dataset.drawn) return;
      el.dataset.drawn = "1";
      var data = JSON.parse(source.textContent);
      var map = L.map(el, { attributionControl: false, zoomSnap: 0.25 });
      if (el.dataset.tiles) {
        L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
      }
      var layer = L.geoJSON(data, {
        style: function (feature) {
          var own = feature.properties && feature.properties.self;
          return {
            color: own ? "#c8102e" : "#1d4ed8",
            weight: own ? 3 : 1.5,
            fillOpacity: own ? 0.05 : 0.12,
          };
        },
        onEachFeature: function (feature, shape) {
          var p = feature.properties || {};
          if (p.name) shape.bindTooltip(p.name, { sticky: true });
          if (p.url) shape.on("click", function () { window.location = p.url; });
        },
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12] });
      else map.setView([29.5, 106.5], 12);
    });
  }
  // Charts: <div class="chart" data-chart="pyramid|tags" data-source="ID">, data from
  // json_script. ECharts renders on the page itself: nothing is fetched.
  var CHARTS = {
    pyramid: function (d) {
      return {
        tooltip: { trigger: "axis", formatter: function (p) {
          return p[0].name + "<br>男 " + Math.abs(p[0].value) + " · 女 " + p[1].value; } },
        legend: { data: ["男", "女"] },
        grid: { left: 70, right: 20, top: 30, bottom: 20 },
        xAxis: { type: "value", axisLabel: { formatter: function (v) { return Math.abs(v); } } },
        yAxis: { type: "category", data: d.bands },
        series: [
          { name: "男", type: "bar", stack: "s", data: d.men.map(function (v) { return -v; }),
            itemStyle: { color: "#1d4ed8" } },
          { name: "女", type: "bar", stack: "s", data: d.women, itemStyle: { color: "#c8102e" } },
        ],
      };
    },
    tags: function (d) {
      return {
        tooltip: {},
        grid: { left: 100, right: 20, top: 10, bottom: 20 },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: d.tags.map(function (t) { return t.name; }) },
        series: [{ type: "bar", data: d.tags.map(function (t) { return t.value; }),
          itemStyle: { color: "#b45309" } }],
      };
    },
  };
  function drawCharts() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) return;
      el.dataset.drawn = "1";
      var data = JSON.parse(document.getElementById(el.dataset.source).textContent);
      echarts.init(el).setOption(CHARTS[el.dataset.chart](data));
    });
  }

  function drawAll() { drawMaps(); drawCharts(); }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.body.addEventListener("htmx:afterSettle", drawAll);
})();
