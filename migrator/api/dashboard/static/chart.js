// A small SVG line chart of one migration's remaining memory and dirty
// rate over time (each series scaled to its own maximum).
const SVG = 'http://www.w3.org/2000/svg';

function line(points, key, width, height) {
  const values = points.map((p) => p[key]).filter((v) => v != null);
  const max = Math.max(1, ...values);
  const t0 = points[0].t;
  const span = Math.max(1, points[points.length - 1].t - t0);
  return points
    .filter((p) => p[key] != null)
    .map((p) => `${((p.t - t0) / span * width).toFixed(1)},` +
                `${(height - p[key] / max * (height - 2) - 1).toFixed(1)}`)
    .join(' ');
}

export function chart(points, label) {
  const width = 300;
  const height = 60;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  if (points.length < 2) {
    return svg;
  }
  for (const [key, cls] of [['remaining', 'remaining'], ['dirty', 'dirty']]) {
    const poly = document.createElementNS(SVG, 'polyline');
    poly.setAttribute('class', cls);
    poly.setAttribute('points', line(points, key, width, height));
    svg.appendChild(poly);
  }
  return svg;
}
