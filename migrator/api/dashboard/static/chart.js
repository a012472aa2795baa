// The chart of one live migration: remaining memory (left axis, from the
// guest's memory size down to 0) and the guest's dirty rate (right axis,
// its own scale in bytes/s, rounded up), against the seconds seen since
// the page opened. The numbers are also in the SVG's title and label for
// screen readers, and the legend is HTML text beside it.
import { bytes, niceCeil, rate } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 360;
const H = 150;
const PAD = { left: 58, right: 62, top: 10, bottom: 22 };
const MiB = 1024 * 1024;

function node(tag, attrs = {}, text = null) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text != null) n.textContent = text;
  return n;
}

function polyline(points, key, x, y, cls) {
  const coords = points.filter((p) => p[key] != null)
    .map((p) => `${x(p.t).toFixed(1)},${y(p[key]).toFixed(1)}`);
  return node('polyline', { class: cls, points: coords.join(' ') });
}

// The sentence a screen reader says for the chart.
export function describe(points, total) {
  if (points.length === 0) return 'No samples yet.';
  const last = points[points.length - 1];
  const span = Math.round(last.t - points[0].t);
  return `Remaining memory ${bytes(last.remaining)} of ${bytes(total)}, ` +
    `dirty rate ${rate(last.dirty)}, over the last ${span} s ` +
    `(${points.length} samples).`;
}

export function chart(points, total) {
  const label = `Remaining memory and dirty rate over time. ` +
    describe(points, total);
  const svg = node('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`,
    role: 'img', 'aria-label': label });
  svg.append(node('title', {}, label));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const remainingTop = Math.max(1, total || 0,
    ...points.map((p) => p.remaining || 0));
  const dirtyTop = niceCeil(Math.max(0, ...points.map((p) => p.dirty || 0)),
    MiB);
  const t0 = points.length ? points[0].t : 0;
  const span = points.length > 1
    ? Math.max(1, points[points.length - 1].t - t0) : 1;
  const x = (t) => PAD.left + (t - t0) / span * plotW;
  const yRemaining = (v) => PAD.top + plotH * (1 - v / remainingTop);
  const yDirty = (v) => PAD.top + plotH * (1 - v / dirtyTop);

  const axes = node('g', { class: 'axes', 'aria-hidden': 'true' });
  for (const f of [0, 0.5, 1]) {
    const y = PAD.top + plotH * (1 - f);
    axes.append(node('line', { class: 'grid', x1: PAD.left,
      x2: PAD.left + plotW, y1: y, y2: y }));
    axes.append(node('text', { class: 'tick remaining', x: PAD.left - 4,
      y: y + 3, 'text-anchor': 'end' }, bytes(remainingTop * f)));
    axes.append(node('text', { class: 'tick dirty', x: PAD.left + plotW + 4,
      y: y + 3, 'text-anchor': 'start' }, rate(dirtyTop * f)));
  }
  const bottom = H - 6;
  axes.append(node('text', { class: 'tick', x: PAD.left, y: bottom,
    'text-anchor': 'start' }, points.length > 1
    ? `${Math.round(span)} s ago` : ''));
  axes.append(node('text', { class: 'tick', x: PAD.left + plotW, y: bottom,
    'text-anchor': 'end' }, 'now'));
  svg.append(axes);
  if (points.length > 1) {
    svg.append(polyline(points, 'remaining', x, yRemaining, 'remaining'),
      polyline(points, 'dirty', x, yDirty, 'dirty'));
  }
  return svg;
}
