// Leaflet guesses its marker-icon folder from its CSS link, which st_folium adds only
// after the scripts have run: point it at the bundled images next to leaflet.js.
(function () {
  var script = document.querySelector('script[src*="leaflet-1.9.3/leaflet.js"]');
  var base = script ? script.src.replace(/leaflet\.js.*$/, "") : "/app/static/vendor/leaflet-1.9.3/";
  if (window.L && L.Icon && L.Icon.Default) { L.Icon.Default.imagePath = base + "images/"; }
})();
