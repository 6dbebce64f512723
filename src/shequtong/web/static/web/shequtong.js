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

  // A photo picker tells how many photos were chosen (its input hides behind a Chinese button).
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches("input[data-picker]")) return;
    var shown = input.closest(".picker").querySelector(".picker-chosen");
    var n = input.files ? input.files.length : 0;
    shown.textContent = n ? "已选择 " + n + " 张照片" : "未选择照片";
  });

  // The console's menu on a phone: folded behind 菜单 (the CSS hides it below 760 px).
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".menu-toggle");
    if (!button) return;
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    button.closest(".side").classList.toggle("open", open);
  });

  // <select data-autosubmit> submits its form on change (the area switcher).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });

  // A Leaflet map with the base map the intranet tile server SHEQUTONG_MAP_TILES names, if
  // any; without one the areas are named on the plain ground (nameOn).
  function baseMap(el, options) {
    var map = L.map(el, Object.assign({ attributionControl: false }, options));
    var tiles = document.querySelector("meta[name=map-tiles]");
    if (tiles) L.tileLayer(tiles.content, { maxZoom: 19 }).addTo(map);
    return map;
  }
  // An area's name on its shape: a quiet permanent label, or a tooltip for the area the page
  // is about (its own name is the page's title).
  function nameOn(shape, p) {
    if (!p.name) return;
    shape.bindTooltip(p.name, p.self ? { sticky: true }
      : { permanent: true, direction: "center", className: "map-label" });
  }

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
      var map = baseMap(el, { zoomSnap: 0.25 });
      var points = data.features.filter(function (f) { return f.geometry.type === "Point"; });
      var shapes = data.features.filter(function (f) { return f.geometry.type !== "Point"; });
      var layer = L.geoJSON({ type: "FeatureCollection", features: shapes }, {
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
          nameOn(shape, p);
          if (p.url) shape.on("click", function () { window.location = p.url; });
        },
      }).addTo(map);
      var bounds = layer.getBounds();
      points.forEach(function (f) {
        bounds.extend(L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]));
      });
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
      else map.setView([29.5, 106.5], 12);
      if (points.length) clusterPoints(map, points);
    });
  }

  // Case markers, clustered on a 56-pixel screen grid and redrawn on zoom: a hand-written
  // cluster (no plugin to vendor), coloured by the worst deadline state in the cluster.
  // Single markers are SVG (colours as attributes); clusters take theirs from .cluster-<state>.
  var STATE_COLOUR = { on_time: "#15803d", warning: "#d97706", overdue: "#c8102e" };
  var STATE_RANK = { on_time: 0, warning: 1, overdue: 2 };
  function clusterPoints(map, points) {
    var group = L.layerGroup().addTo(map);
    function draw() {
      group.clearLayers();
      var cells = {};
      points.forEach(function (f) {
        var ll = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
        var px = map.latLngToLayerPoint(ll);
        var key = Math.floor(px.x / 56) + ":" + Math.floor(px.y / 56);
        (cells[key] = cells[key] || []).push({ f: f, ll: ll });
      });
      Object.keys(cells).forEach(function (key) {
        var members = cells[key];
        var worst = members.reduce(function (w, m) {
          var s = m.f.properties.state || "on_time";
          return STATE_RANK[s] > STATE_RANK[w] ? s : w;
        }, "on_time");
        if (members.length === 1) {
          var p = members[0].f.properties;
          var dot = L.circleMarker(members[0].ll, {
            radius: 7, color: "#fff", weight: 2, fillColor: STATE_COLOUR[worst], fillOpacity: 0.95,
          }).bindTooltip(p.name + (p.status ? " · " + p.status : ""));
          if (p.url) dot.on("click", function () { window.location = p.url; });
          group.addLayer(dot);
          return;
        }
        var lat = 0, lng = 0;
        members.forEach(function (m) { lat += m.ll.lat; lng += m.ll.lng; });
        var centre = L.latLng(lat / members.length, lng / members.length);
        // The colour is a class (.cluster-warning …), not a style attribute: the CSP blocks those.
        var icon = L.divIcon({
          className: "cluster cluster-" + worst, iconSize: [34, 34],
          html: "<span>" + members.length + "</span>",
        });
        var marker = L.marker(centre, { icon: icon, title: members.length + " 件事件" });
        marker.on("click", function () { map.setView(centre, Math.min(map.getZoom() + 2, 19)); });
        group.addLayer(marker);
      });
    }
    map.on("zoomend", draw);
    draw();
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
        // A template, not ECharts' default tooltip markup: that is full of style attributes,
        // which the CSP strips. The template's values are HTML-escaped by ECharts.
        tooltip: { formatter: "{b}：{c}" },
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

  // 随手拍: the browser's position (WGS-84) or a tap on the map fills the hidden lon/lat; a
  // key made once per form makes a resubmission on a bad network the same report.
  function setUpReportForm() {
    var form = document.getElementById("report-form");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var key = form.querySelector("[name=idempotency_key]");
    if (key && !key.value && window.crypto && crypto.randomUUID) key.value = crypto.randomUUID();
    var lon = form.querySelector("[name=lon]"), lat = form.querySelector("[name=lat]");
    var status = document.getElementById("locate-status");
    var el = form.querySelector("[data-pick]");
    var map = null, marker = null;
    function put(latlng, text) {
      lon.value = latlng.lng.toFixed(7);
      lat.value = latlng.lat.toFixed(7);
      form.querySelector("[name=coord_system]").value = "wgs84";
      if (status) status.textContent = text + "（" + lat.value + ", " + lon.value + "）";
      document.body.dispatchEvent(new Event("located"));
      if (map) {
        if (marker) marker.setLatLng(latlng); else marker = L.circleMarker(latlng, { radius: 9 }).addTo(map);
        map.setView(latlng, Math.max(map.getZoom(), 16));
      }
    }
    if (el && typeof L !== "undefined") {
      map = baseMap(el, {}).setView([29.5, 106.5], 12);
      var source = el.dataset.geojsonId && document.getElementById(el.dataset.geojsonId);
      if (source) {
        var layer = L.geoJSON(JSON.parse(source.textContent), {
          style: { weight: 1, fillOpacity: 0.06 },
          onEachFeature: function (feature, shape) { nameOn(shape, feature.properties || {}); },
        }).addTo(map);
        if (layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
      }
      map.on("click", function (e) { put(e.latlng, "已选择地图位置"); });
    }
    var button = document.getElementById("locate");
    if (button) button.addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = "此浏览器不能定位，请在地图上点选或填写地址"; return; }
      status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(function (p) {
        put(L.latLng(p.coords.latitude, p.coords.longitude), "已定位");
      }, function () { status.textContent = "定位失败，请在地图上点选或填写地址"; },
      { enableHighAccuracy: true, timeout: 10000 });
    });
  }

  // A category suggestion fills the form's category select (and asks for nearby duplicates).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-pick-category]");
    if (!button) return;
    var select = button.form && button.form.querySelector("[name=category]");
    if (!select) return;
    select.value = button.dataset.pickCategory;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // The alarm wall rings when an alarm appears that the page has not shown before: a tone
  // made by the browser (Web Audio), so no sound file is fetched.
  var shownAlarms = null;
  function ringForNewAlarms() {
    var wall = document.getElementById("wall");
    if (!wall || wall.dataset.alarmIds === undefined) return;
    var ids = wall.dataset.alarmIds ? wall.dataset.alarmIds.split(",") : [];
    if (shownAlarms !== null && ids.some(function (id) { return shownAlarms.indexOf(id) < 0; })) {
      try {
        var audio = new (window.AudioContext || window.webkitAudioContext)();
        [0, 0.35, 0.7].forEach(function (start) {
          var tone = audio.createOscillator();
          tone.frequency.value = 880;
          tone.connect(audio.destination);
          tone.start(audio.currentTime + start);
          tone.stop(audio.currentTime + start + 0.2);
        });
      } catch (e) { /* no sound available: the wall still shows it */ }
    }
    shownAlarms = ids;
  }

  // "Use my location" on a check-in form (a visit): fills its hidden lon/lat.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill-location]");
    if (!button || !button.form) return;
    var status = button.form.querySelector("[data-location-status]");
    if (!navigator.geolocation) { status.textContent = "此浏览器不能定位"; return; }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (p) {
      button.form.querySelector("[name=lon]").value = p.coords.longitude.toFixed(7);
      button.form.querySelector("[name=lat]").value = p.coords.latitude.toFixed(7);
      status.textContent = "已定位";
    }, function () { status.textContent = "定位失败，将不核验位置"; },
    { enableHighAccuracy: true, timeout: 10000 });
  });

  // Tables become cards on a phone: each cell is labelled with its column's heading (the CSS
  // shows the label before the cell below 760 px). Without JavaScript a table scrolls in its box.
  function labelTables() {
    document.querySelectorAll("table.data:not(.stacked)").forEach(function (table) {
      var heads = [];
      table.querySelectorAll("thead tr:first-child th").forEach(function (th) {
        for (var i = 0; i < (th.colSpan || 1); i++) heads.push(th.textContent.trim());
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          cell.setAttribute("data-label", heads[column] || "");
          column += cell.colSpan || 1;
        });
      });
      table.classList.add("stacked");
    });
  }

  function drawAll() { labelTables(); drawMaps(); drawCharts(); setUpReportForm(); ringForNewAlarms(); }
  document.addEventListener("DOMContentLoaded", drawAll);
  document.body.addEventListener("htmx:afterSettle", drawAll);
})();
