/* Servicepunkter maps: draws the markers given in a JSON script element.

   Markup: <div data-map-source="ID"> and {{ data|json_script:"ID" }}, where data is
   {markers: [{lat, lng, name, url, category, closed, label}], maxZoom,
    tiles: {url, attribution}, labels: {zoomIn, zoomOut, closePopup}}.
   Without a tile URL the markers are drawn on a plain background: no network needed.
   No inline script or style anywhere: the Content Security Policy forbids both. */
(function () {
  "use strict";

  var SWEDEN = [62.5, 16.5];
  // Without background tiles, locality names give the map its bearings; beyond
  // this many they would only cover each other.
  var MAX_NAMED_LOCALITIES = 40;

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function popup(marker) {
    var content = document.createElement("div");
    content.className = "map-popup";
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = marker.name;
    content.appendChild(link);
    if (marker.label) {
      var label = document.createElement("span");
      label.className = "map-popup__label";
      label.textContent = marker.label;
      content.appendChild(label);
    }
    return content;
  }

  function icon(marker) {
    var classes = "map-marker map-marker--" + marker.category;
    if (marker.closed) {
      classes += " map-marker--closed";
    }
    var size = marker.category === "locality" ? 26 : 18;
    return L.divIcon({ className: classes, iconSize: [size, size], html: "" });
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-map-source"));
    if (!source || typeof L === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var map = L.map(element, { zoomControl: false, scrollWheelZoom: false });
    L.control
      .zoom({ zoomInTitle: data.labels.zoomIn, zoomOutTitle: data.labels.zoomOut })
      .addTo(map);
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com">Leaflet</a>'
    );
    L.control.scale({ imperial: false }).addTo(map);
    if (data.tiles.url) {
      L.tileLayer(data.tiles.url, {
        attribution: text(data.tiles.attribution || ""),
        maxZoom: 18,
      }).addTo(map);
    } else {
      element.classList.add("map--plain");
    }

    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) {
        close.setAttribute("aria-label", data.labels.closePopup);
      }
    });

    // The view first: Leaflet draws a marker's element only on a map with a view.
    var points = data.markers.map(function (marker) {
      return [marker.lat, marker.lng];
    });
    if (points.length) {
      map.fitBounds(points, { padding: [28, 28], maxZoom: data.maxZoom || 13 });
    } else {
      map.setView(SWEDEN, 4);
    }

    var localities = data.markers.filter(function (marker) {
      return marker.category === "locality";
    });
    var nameLocalities = !data.tiles.url && localities.length <= MAX_NAMED_LOCALITIES;

    data.markers.forEach(function (marker) {
      var title = marker.label ? marker.name + " (" + marker.label + ")" : marker.name;
      var leafletMarker = L.marker([marker.lat, marker.lng], {
        icon: icon(marker),
        title: title,
        riseOnHover: true,
        // Outlets above localities, so a shop in a village stays clickable.
        zIndexOffset: marker.category === "locality" ? 0 : 1000,
      });
      leafletMarker.bindPopup(popup(marker));
      if (nameLocalities && marker.category === "locality") {
        leafletMarker.bindTooltip(marker.name, {
          permanent: true,
          direction: "bottom",
          offset: [0, 10],
          className: "map-name",
        });
      }
      leafletMarker.addTo(map);
      leafletMarker.getElement().setAttribute("aria-label", title);
    });
  }

  document.querySelectorAll("[data-map-source]").forEach(draw);
})();
