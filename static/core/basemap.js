/* Servicepunkter's base map, shared by the register map (js/map.js) and the analysis
   map (analysis/analysis.js): the map with its controls, the background (tiles with
   their attribution when MAP_TILE_URL is set, a plain background otherwise), the
   outlet and locality markers, their popups and the locality names.

   Loaded before the page's own script (both `defer`), it defines window.BaseMap:

     BaseMap.config(element, attribute)  the JSON of the json_script element whose id
                                         is the element's `attribute`, or null
     BaseMap.create(element, config)     an L.Map in element; config is
                                         {tiles: {url, attribution},
                                          labels: {zoomIn, zoomOut, closePopup}}
     BaseMap.hasTiles(map)               whether the map has a tile background
     BaseMap.fit(map, markers, maxZoom)  the view over the markers (Sweden without any)
     BaseMap.addMarkers(map, markers, options)
                                         the markers [{lat, lng, name, url, category,
                                         closed, label}], each with its popup; options:
                                         localitySize (px, default 26), nameLocalities
                                         (names under the localities on the plain
                                         background, when there are few enough)
     BaseMap.popup(marker)               a marker's popup content, as an element

   Text is text: names and labels only ever reach the page through textContent or
   attributes, never as HTML (Leaflet sets innerHTML for string popups, tooltips and
   attributions). No inline script or style: the Content Security Policy forbids both. */
(function () {
  "use strict";

  var SWEDEN = [62.5, 16.5];
  var TILE_MAX_ZOOM = 18;
  var OUTLET_SIZE = 18;
  var LOCALITY_SIZE = 26;
  // Without background tiles, locality names give the map its bearings; beyond
  // this many they would only cover each other.
  var MAX_NAMED_LOCALITIES = 40;

  // Text as HTML-escaped markup, for the one Leaflet API that takes only a string
  // (the attribution control).
  function escaped(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span.innerHTML;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function config(container, attribute) {
    var source = document.getElementById(container.getAttribute(attribute));
    if (!source || typeof L === "undefined") {
      return null;
    }
    return JSON.parse(source.textContent);
  }

  function create(container, options) {
    var tiles = options.tiles || {};
    var labels = options.labels || {};
    var map = L.map(container, { zoomControl: false, scrollWheelZoom: false });
    L.control
      .zoom({ zoomInTitle: labels.zoomIn, zoomOutTitle: labels.zoomOut })
      .addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    L.control.scale({ imperial: false }).addTo(map);
    if (tiles.url) {
      // The tile licence asks for its attribution wherever the tiles are shown.
      L.tileLayer(tiles.url, {
        attribution: escaped(tiles.attribution || ""),
        maxZoom: TILE_MAX_ZOOM,
      }).addTo(map);
    } else {
      container.classList.add("map--plain");
    }
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && labels.closePopup) {
        close.setAttribute("aria-label", labels.closePopup);
      }
    });
    return map;
  }

  function hasTiles(map) {
    return !map.getContainer().classList.contains("map--plain");
  }

  // Set the view first: Leaflet draws a marker's element only on a map with a view.
  function fit(map, markers, maxZoom) {
    var points = markers.map(function (marker) {
      return [marker.lat, marker.lng];
    });
    if (points.length) {
      map.fitBounds(points, { padding: [28, 28], maxZoom: maxZoom || 13 });
    } else {
      map.setView(SWEDEN, 4);
    }
  }

  function icon(marker, localitySize) {
    var classes = "map-marker map-marker--" + marker.category;
    if (marker.closed) {
      classes += " map-marker--closed";
    }
    var size = marker.category === "locality" ? localitySize : OUTLET_SIZE;
    return L.divIcon({ className: classes, iconSize: [size, size], html: "" });
  }

  function popup(marker) {
    var content = element("div", "map-popup");
    var link = element("a", "", marker.name);
    link.href = marker.url;
    content.appendChild(link);
    if (marker.label) {
      content.appendChild(element("span", "map-popup__label", marker.label));
    }
    return content;
  }

  function addMarkers(map, markers, options) {
    options = options || {};
    var localitySize = options.localitySize || LOCALITY_SIZE;
    var localities = markers.filter(function (marker) {
      return marker.category === "locality";
    });
    var nameLocalities =
      Boolean(options.nameLocalities) &&
      !hasTiles(map) &&
      localities.length <= MAX_NAMED_LOCALITIES;

    return markers.map(function (marker) {
      var title = marker.label ? marker.name + " (" + marker.label + ")" : marker.name;
      var leafletMarker = L.marker([marker.lat, marker.lng], {
        icon: icon(marker, localitySize),
        title: title,
        riseOnHover: true,
        // Outlets above localities, so a shop in a village stays clickable.
        zIndexOffset: marker.category === "locality" ? 0 : 1000,
      });
      leafletMarker.bindPopup(popup(marker));
      if (nameLocalities && marker.category === "locality") {
        leafletMarker.bindTooltip(element("span", "", marker.name), {
          permanent: true,
          direction: "bottom",
          offset: [0, 10],
          className: "map-name",
        });
      }
      leafletMarker.addTo(map);
      leafletMarker.getElement().setAttribute("aria-label", title);
      return leafletMarker;
    });
  }

  window.BaseMap = {
    config: config,
    create: create,
    hasTiles: hasTiles,
    fit: fit,
    addMarkers: addMarkers,
    popup: popup,
  };
})();
