// How the dashboard writes bytes, rates and durations.
export function bytes(n) {
  if (n == null) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = Number(n);
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export const rate = (n) => (n == null ? '–' : `${bytes(n)}/s`);

export function seconds(n) {
  if (n == null || !Number.isFinite(n)) return '–';
  const s = Math.round(n);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

// The smallest 1, 2, 2.5 or 5 × 10^k (in units of `unit`) not below v:
// a round top for an axis.
export function niceCeil(v, unit = 1) {
  if (!(v > 0)) return unit;
  const x = v / unit;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (m * p >= x) return m * p * unit;
  }
  return 10 * p * unit;
}
