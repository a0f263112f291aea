/* Service analysis map: population squares coloured by distance band, and outlets, on
   the base map (core/basemap.js).

   Markup: <div data-analysis-map="ID"> and {{ config|json_script:"ID" }}, where config
   is {squaresUrl, colours, markers, tiles, labels, pick, affine}. The squares come from
   squaresUrl as {lat0, lng0, scale, lat: [], lng: [], size, band: []}: centres as
   integer offsets (lat0 + lat[i] / scale), sides in metres (one number when uniform)
   and are drawn on a canvas, so ten thousands of them stay smooth. With `pick`, a click
   fills the SWEREF 99 TM position fields of the focused (or first) fieldset marked
   data-map-target. No inline script or style: the Content Security Policy forbids both. */
(function () {
  "use strict";

  var METRES_PER_DEGREE = 111320;

  // Zoomed out, a 250 m square is a pixel or less and its colour cannot be seen: below
  // this many pixels a square is drawn as a dot of this radius instead.
  var DOT_BELOW_PX = 5;
  var DOT_RADIUS_PX = 3;

  function squarePixels(map, size, lat) {
    var metresPerPixel =
      (40075016.686 * Math.cos((lat * Math.PI) / 180)) / Math.pow(2, map.getZoom() + 8);
    return size / metresPerPixel;
  }

  function drawSquares(map, data, colours, renderer) {
    var south = Infinity;
    var west = Infinity;
    var north = -Infinity;
    var east = -Infinity;
    var uniform = typeof data.size === "number";
    var squares = L.layerGroup();
    var dots = L.layerGroup();
    var largest = 0;
    for (var i = 0; i < data.band.length; i += 1) {
      var lat = data.lat0 + data.lat[i] / data.scale;
      var lng = data.lng0 + data.lng[i] / data.scale;
      var size = uniform ? data.size : data.size[i];
      var half = size / 2;
      var dLat = half / METRES_PER_DEGREE;
      var dLng = half / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180));
      var corners = [
        [lat - dLat, lng - dLng],
        [lat + dLat, lng + dLng],
      ];
      var colour = colours[data.band[i]] || "#000000";
      squares.addLayer(
        L.rectangle(corners, {
          renderer: renderer,
          stroke: false,
          fillColor: colour,
          fillOpacity: 0.8,
          interactive: false,
          // Without this, Leaflet drops squares smaller than a pixel when zoomed out.
          smoothFactor: 0,
        })
      );
      dots.addLayer(
        L.circleMarker([lat, lng], {
          renderer: renderer,
          radius: DOT_RADIUS_PX,
          stroke: false,
          fillColor: colour,
          fillOpacity: 0.9,
          interactive: false,
        })
      );
      largest = Math.max(largest, size);
      south = Math.min(south, corners[0][0]);
      west = Math.min(west, corners[0][1]);
      north = Math.max(north, corners[1][0]);
      east = Math.max(east, corners[1][1]);
    }
    if (!data.band.length) {
      return null;
    }
    var bounds = L.latLngBounds([south, west], [north, east]);
    function choose() {
      var small = squarePixels(map, largest, bounds.getCenter().lat) < DOT_BELOW_PX;
      var shown = small ? dots : squares;
      var hidden = small ? squares : dots;
      if (map.hasLayer(hidden)) {
        map.removeLayer(hidden);
      }
      if (!map.hasLayer(shown)) {
        shown.addTo(map);
      }
    }
    map.on("zoomend viewreset", choose);
    map.whenReady(choose);
    return bounds;
  }

  function positionFields() {
    var targets = document.querySelectorAll("[data-map-target]");
    var active = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("[data-map-target]")
      : null;
    var target = active || positionFields.last || targets[0];
    if (!target) {
      return null;
    }
    return {
      easting: target.querySelector("input[name$='_easting']"),
      northing: target.querySelector("input[name$='_northing']"),
    };
  }

  function draw(element) {
    var config = window.BaseMap && BaseMap.config(element, "data-analysis-map");
    if (!config) {
      return;
    }
    var status = element.parentNode.querySelector("[data-map-status]");
    var map = BaseMap.create(element, config);
    BaseMap.fit(map, config.markers, 12);
    // Smaller localities than on the register map: the squares show through.
    BaseMap.addMarkers(map, config.markers, { localitySize: 22 });

    var renderer = L.canvas({ padding: 0.5 });
    // Busy until the squares are drawn and the view has settled on them.
    element.setAttribute("aria-busy", "true");
    function settled() {
      element.setAttribute("aria-busy", "false");
    }
    if (status) {
      status.textContent = config.labels.loading;
    }
    fetch(config.squaresUrl, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var bounds = drawSquares(map, data, config.colours, renderer);
        if (bounds) {
          map.once("moveend", settled);
          map.fitBounds(bounds, { padding: [12, 12] });
        } else {
          settled();
        }
        if (status) {
          status.textContent = "";
        }
      })
      .catch(function () {
        settled();
        if (status) {
          status.textContent = config.labels.failed;
        }
      });

    if (config.pick && config.affine) {
      var a = config.affine;
      document.querySelectorAll("[data-map-target]").forEach(function (fieldset) {
        fieldset.addEventListener("focusin", function () {
          positionFields.last = fieldset;
        });
      });
      map.on("click", function (event) {
        var fields = positionFields();
        if (!fields || !fields.easting || !fields.northing) {
          return;
        }
        var dLat = event.latlng.lat - a.lat0;
        var dLng = event.latlng.lng - a.lng0;
        fields.easting.value = Math.round(a.e0 + a.eLat * dLat + a.eLng * dLng);
        fields.northing.value = Math.round(a.n0 + a.nLat * dLat + a.nLng * dLng);
      });
    }
  }

  document.querySelectorAll("[data-analysis-map]").forEach(draw);
})();
