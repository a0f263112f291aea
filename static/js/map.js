/* The register map: outlets and localities on the base map (core/basemap.js).

   Markup: <div data-map-source="ID"> and {{ data|json_script:"ID" }}, where data is
   {markers: [{lat, lng, name, url, category, closed, label}], maxZoom,
    tiles: {url, attribution}, labels: {zoomIn, zoomOut, closePopup}}.
   Without a tile URL the markers are drawn on a plain background, the localities named:
   no network needed. No inline script or style: the Content Security Policy forbids
   both. */
(function () {
  "use strict";

  function draw(element) {
    var data = window.BaseMap && BaseMap.config(element, "data-map-source");
    if (!data) {
      return;
    }
    var map = BaseMap.create(element, data);
    BaseMap.fit(map, data.markers, data.maxZoom);
    BaseMap.addMarkers(map, data.markers, { nameLocalities: true });
  }

  document.querySelectorAll("[data-map-source]").forEach(draw);
})();
