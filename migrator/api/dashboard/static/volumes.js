// Volume migrations in flight, from the compute API's
// GET /dashboard/volume-migrations (the block storage API is another
// origin). The service reports a percent copied; the rate and the ETA are
// this page's own estimate over its last samples of the bytes copied.
import { el } from './dom.js';
import { bytes, rate, seconds } from './format.js';

const WINDOW_S = 10; // seconds of samples the rate is measured over
const samples = new Map(); // volume id -> [{t, copied}]

function measure(v, now) {
  if (v.bytes_copied == null) return null;
  const list = (samples.get(v.id) || []).filter((s) => now - s.t <= WINDOW_S);
  list.push({ t: now, copied: v.bytes_copied });
  samples.set(v.id, list);
  const first = list[0];
  const last = list[list.length - 1];
  if (last.t - first.t < 1) return null;
  return (last.copied - first.copied) / (last.t - first.t);
}

function card(v, now) {
  const name = v.name ? `${v.name} (${v.id})` : v.id;
  const node = el('article', null, { class: 'card volume',
    'aria-label': `Volume migration of ${v.id}` });
  node.append(el('h3', name));
  node.append(el('p', `${v.source_host} → ${v.destination_host} · ` +
    `${v.migration_method || 'volume'} · ${v.migration_status}`));
  const numeric = v.migration_progress != null &&
    !Number.isNaN(Number(v.migration_progress));
  const percent = numeric ? Number(v.migration_progress) : null;
  const bar = el('progress', null, { max: '100',
    'aria-label': 'Percent copied' });
  if (numeric) bar.setAttribute('value', String(percent)); // else indeterminate
  node.append(bar, el('span', numeric ? `${percent}%`
    : (v.migration_progress || 'waiting for the first figure')));
  const dl = el('dl');
  const add = (k, val) => dl.append(el('dt', k), el('dd', val));
  add('Copied', `${bytes(v.bytes_copied)} of ${bytes(v.bytes_total)}`);
  const speed = measure(v, now);
  add('Rate', speed == null ? '–' : rate(speed));
  add('ETA', speed > 0
    ? seconds((v.bytes_total - v.bytes_copied) / speed) : '–');
  add('Volume status', v.status);
  node.append(dl);
  return node;
}

export function volumeCards(list, now) {
  const ids = new Set(list.map((v) => v.id));
  for (const id of [...samples.keys()]) {
    if (!ids.has(id)) samples.delete(id);
  }
  return list.map((v) => card(v, now));
}
