/* The public maps of service points, on the base map (core/basemap.js).

   Markup: <div data-public-map="ID"> and {{ data|json_script:"ID" }}, where data is
   the base map's {markers, maxZoom, tiles, labels} plus, optionally,
   source: the URL of the country's markers as JSON {url, points: [[id, lat, lng,
           name]]}, drawn as light circles on a canvas (thousands of them), and
   newTab: links in popups open a new tab (in an embed, the public page may not be
           framed).
   The list on the page carries every fact; the map is an extra. Text is text: names
   reach the page through textContent only. */
(function () {
  "use strict";

  function openInNewTab(popupContent) {
    popupContent.querySelectorAll("a").forEach(function (link) {
      link.target = "_blank";
      link.rel = "noopener";
    });
    return popupContent;
  }

  function drawMany(map, data) {
    fetch(data.source, { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : { points: [] };
      })
      .then(function (found) {
        var renderer = L.canvas({ padding: 0.5 });
        var base = found.url.replace(/0\/$/, "");
        var bounds = [];
        found.points.forEach(function (point) {
          var marker = L.circleMarker([point[1], point[2]], {
            renderer: renderer,
            radius: 5,
            weight: 1,
            color: "#ffffff",
            fillColor: "#1c5d46",
            fillOpacity: 0.9,
          });
          marker.bindPopup(function () {
            var content = BaseMap.popup({ name: point[3], url: base + point[0] + "/" });
            return data.newTab ? openInNewTab(content) : content;
          });
          marker.addTo(map);
          bounds.push([point[1], point[2]]);
        });
        if (bounds.length) {
          map.fitBounds(bounds, { padding: [20, 20], maxZoom: data.maxZoom || 12 });
        }
      });
  }

  function draw(element) {
    var data = window.BaseMap && BaseMap.config(element, "data-public-map");
    if (!data) {
      return;
    }
    var map = BaseMap.create(element, data);
    BaseMap.fit(map, data.markers, data.maxZoom);
    if (data.source) {
      drawMany(map, data);
      return;
    }
    BaseMap.addMarkers(map, data.markers).forEach(function (marker) {
      if (data.newTab) {
        openInNewTab(marker.getPopup().getContent());
      }
    });
  }

  document.querySelectorAll("[data-public-map]").forEach(draw);
})();
