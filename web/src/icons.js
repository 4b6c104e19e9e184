// Small line icons for the navigation, drawn for Fengqiao (24×24 grid,
// stroke = currentColor) so that no icon package is needed.
import { h } from 'vue';

function icon(name, shapes) {
  return {
    name,
    render() {
      return h(
        'svg',
        {
          viewBox: '0 0 24 24',
          width: '1em',
          height: '1em',
          fill: 'none',
          stroke: 'currentColor',
          'stroke-width': 1.8,
          'stroke-linecap': 'round',
          'stroke-linejoin': 'round',
          'aria-hidden': 'true',
        },
        shapes.map(([tag, attrs]) => h(tag, attrs)),
      );
    },
  };
}

export const IconHome = icon('IconHome', [
  ['path', { d: 'M3 11.5 12 4l9 7.5' }],
  ['path', { d: 'M5.5 10v10h13V10' }],
  ['path', { d: 'M10 20v-5h4v5' }],
]);

export const IconCommand = icon('IconCommand', [
  ['circle', { cx: 12, cy: 10, r: 2 }],
  ['path', { d: 'M8 6.5a5 5 0 0 0 0 7M16 6.5a5 5 0 0 1 0 7' }],
  ['path', { d: 'M5.2 3.8a9 9 0 0 0 0 12.4M18.8 3.8a9 9 0 0 1 0 12.4' }],
  ['path', { d: 'M12 12v9M9 21h6' }],
]);

export const IconCommunity = icon('IconCommunity', [
  ['circle', { cx: 9, cy: 8, r: 3 }],
  ['path', { d: 'M3.5 20a5.5 5.5 0 0 1 11 0' }],
  ['circle', { cx: 17, cy: 9, r: 2.4 }],
  ['path', { d: 'M16 14.2a4.5 4.5 0 0 1 5 4.8' }],
]);

export const IconCases = icon('IconCases', [
  ['path', { d: 'M12 4v16M7 20h10' }],
  ['path', { d: 'M5 7h14' }],
  ['path', { d: 'M5 7 2.5 13a2.5 2.5 0 0 0 5 0Z' }],
  ['path', { d: 'M19 7l-2.5 6a2.5 2.5 0 0 0 5 0Z' }],
]);

export const IconAnalysis = icon('IconAnalysis', [
  ['path', { d: 'M4 4v16h16' }],
  ['path', { d: 'M8 16v-4M12 16V8M16 16v-6' }],
  ['path', { d: 'M7 9l4-3 4 2 4-4' }],
]);

export const IconSystem = icon('IconSystem', [
  ['path', { d: 'M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0' }],
  ['circle', { cx: 16, cy: 6, r: 2 }],
  ['circle', { cx: 10, cy: 12, r: 2 }],
  ['circle', { cx: 18, cy: 18, r: 2 }],
]);

export const IconUser = icon('IconUser', [
  ['circle', { cx: 12, cy: 8, r: 4 }],
  ['path', { d: 'M4 21a8 8 0 0 1 16 0' }],
]);

export const IconChevronDown = icon('IconChevronDown', [['path', { d: 'M6 9l6 6 6-6' }]]);

export const IconFold = icon('IconFold', [
  ['path', { d: 'M4 6h16M10 12h10M4 18h16' }],
  ['path', { d: 'M7 9.5 4.5 12 7 14.5' }],
]);

export const IconUnfold = icon('IconUnfold', [
  ['path', { d: 'M4 6h16M4 12h10M4 18h16' }],
  ['path', { d: 'M17 9.5l2.5 2.5-2.5 2.5' }],
]);
