// GET /api/v1/ui-config, loaded once per tab: the map tile URL, the
// travel-time model behind the 1/3/5-minute rings and the time after which
// an unacknowledged dispatch is raised. Until the answer arrives (or when
// the server is an older one) the documented defaults apply.
import { reactive } from 'vue';
import { api } from './api.js';

export const DEFAULT_ETA = {
  road_factor: 1.3,
  max_position_age_s: 600,
  speed_kmh: { car: 40, foot: 5, motorbike: 35, auxiliary_team: 5, volunteer_team: 4 },
  turnout_s: { car: 30, foot: 10, motorbike: 20, auxiliary_team: 60, volunteer_team: 120 },
};

export const uiConfig = reactive({
  loaded: false,
  tileUrl: '',
  tileAttribution: '',
  unacknowledgedS: 60,
  eta: DEFAULT_ETA,
});

let pending = null;

// The server's tile URL wins; window.FQ_TILE_URL / VITE_FQ_TILE_URL remain
// as a fallback for a static deployment.
function fallbackTiles() {
  const w = typeof window !== 'undefined' ? window : {};
  return {
    url: w.FQ_TILE_URL || import.meta.env.VITE_FQ_TILE_URL || '',
    attribution: w.FQ_TILE_ATTRIBUTION || import.meta.env.VITE_FQ_TILE_ATTRIBUTION || '',
  };
}

export function loadUiConfig() {
  if (uiConfig.loaded) return Promise.resolve(uiConfig);
  if (!pending) {
    pending = api
      .get('/ui-config', { quiet: true, no401: true })
      .then((answer) => {
        const tiles = fallbackTiles();
        uiConfig.tileUrl = (answer && answer.tile_url) || tiles.url;
        uiConfig.tileAttribution = tiles.attribution;
        const d = answer && answer.dispatch;
        if (d && Number.isFinite(d.unacknowledged_s)) uiConfig.unacknowledgedS = d.unacknowledged_s;
        if (d && d.eta && d.eta.speed_kmh && d.eta.turnout_s) {
          uiConfig.eta = {
            ...DEFAULT_ETA,
            ...d.eta,
            speed_kmh: { ...DEFAULT_ETA.speed_kmh, ...d.eta.speed_kmh },
            turnout_s: { ...DEFAULT_ETA.turnout_s, ...d.eta.turnout_s },
          };
        }
        uiConfig.loaded = true;
        return uiConfig;
      })
      .catch(() => {
        const tiles = fallbackTiles();
        uiConfig.tileUrl = tiles.url;
        uiConfig.tileAttribution = tiles.attribution;
        return uiConfig;
      })
      .finally(() => {
        pending = null;
      });
  }
  return pending;
}

// The great-circle radius a unit of this type covers within `seconds` under
// the ETA model (docs/dispatch.md): (t − turnout) × speed ÷ road factor.
export function reachRadiusM(type, seconds, eta = uiConfig.eta) {
  const speed = eta.speed_kmh[type];
  const turnout = eta.turnout_s[type] || 0;
  if (!(speed > 0)) return 0;
  return Math.max(0, ((seconds - turnout) * speed) / 3.6 / (eta.road_factor || 1));
}
