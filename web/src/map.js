// The UI's Leaflet maps are made and taken down here, so that a map leaving the page in the
// middle of a zoom does not throw.
import L from 'leaflet';

// Maps with an animated zoom under way (from its first frame to its end).
const zooming = new WeakSet();

export function createMap(el, options) {
  const map = L.map(el, options);
  map.on('zoomanim', () => zooming.add(map));
  map.on('zoomend', () => zooming.delete(map));
  return map;
}

// stop() ends a pan, but an animated zoom ends on a 250 ms timer that remove() does not cancel,
// and that timer then moves the removed panes (Leaflet's "_leaflet_pos" of undefined): a map in
// the middle of a zoom is removed when the zoom ends.
export function disposeMap(map) {
  if (!map) return;
  map.stop();
  if (zooming.has(map)) map.once('zoomend', () => map.remove());
  else map.remove();
}
