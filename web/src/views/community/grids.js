// Shared by the 网格管理 pages: the measures a grid can be coloured and
// sorted by (GET /api/v1/grids), duty labels, and who may set staff.
import { hasAnyRole } from '../../session.js';

export const pct = (share) => (share == null ? '—' : `${Math.round(share * 1000) / 10}%`);

// key: the API's sort key; value(grid): the number shown and coloured.
export const MEASURES = [
  { key: 'people', label: '人口', value: (g) => g.counts.people },
  { key: 'houses', label: '房屋', value: (g) => g.counts.houses },
  { key: 'venues', label: '单位场所', value: (g) => g.counts.venues },
  { key: 'open_directives', label: '未结指令', value: (g) => g.counts.open_directives },
  { key: 'open_disputes', label: '未结纠纷', value: (g) => g.counts.open_disputes },
  { key: 'alerts', label: '近30天警情', value: (g) => g.counts.alerts },
  { key: 'coverage', label: '走访覆盖率', value: (g) => g.coverage.share, format: pct },
];

export const measureOf = (key) => MEASURES.find((m) => m.key === key) || MEASURES[0];

export const DUTIES = { officer: '社区民警', auxiliary: '辅警', grid_worker: '网格员' };

// The server's grid.manage right.
export const canManageGrids = () => hasAnyRole(['chief', 'admin']);
