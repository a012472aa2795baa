// migrator's dashboard: polls the compute API's own JSON every second
// and steers live migrations through the same REST calls a client makes.
import { chart } from './chart.js';
import { el } from './dom.js';
import { bytes, rate, seconds } from './format.js';
import { volumeCards } from './volumes.js';

const API = '/v2.1';
const VERSION = 'compute 2.107';
const POLL_MS = 1000;
const HISTORY = 120; // samples kept per migration for its chart
const IN_FLIGHT = ['accepted', 'queued', 'preparing', 'running',
  'running (post-copy)', 'post-migrating', 'pre-migrating', 'migrating'];
const TOKEN_KEY = 'migrator-dashboard-token';

const history = new Map(); // migration uuid -> [{t, remaining, dirty}]
const cards = new Map(); // migration uuid -> {node, box} of its card
let token = sessionStorage.getItem(TOKEN_KEY) || '';
let timer = null;

const $ = (id) => document.getElementById(id);

async function api(method, path, body, root = API) {
  const headers = { 'X-Auth-Token': token, 'OpenStack-API-Version': VERSION };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(root + path, init);
  const text = await resp.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  return { status: resp.status, data };
}

function errorText(result) {
  const fault = result.data && Object.values(result.data)[0];
  return (fault && fault.message) || `HTTP ${result.status}`;
}


const orDash = (v, unit = '') => (v == null ? '–' : `${v}${unit}`);

function say(text) {
  $('result').textContent = text;
}

async function act(m, label, method, path, body) {
  const result = await api(method, path, body);
  say(result.status === 202
    ? `${label}: accepted for migration ${m.id} of ${m.instance_uuid}`
    : `${label} failed: ${errorText(result)}`);
  poll();
}

// A number field with its label and the button that sends it.
function setting(m, { name, text, label, min, value, send }) {
  const id = `${name}-${m.id}`;
  const box = el('span', null, { class: 'field' });
  const input = el('input', null, { id, type: 'number', min,
    value: String(value) });
  const button = el('button', label, { type: 'button' });
  button.onclick = () => send(Number(input.value));
  box.append(el('label', text, { for: id }), input, button);
  return box;
}

function controls(m, progress) {
  const base = `/servers/${m.instance_uuid}/migrations/${m.id}`;
  const box = el('div', null, { class: 'controls' });
  const live = m.migration_type === 'live-migration';
  if (!live) return box;
  const action = (label, body) => act(m, label, 'POST', `${base}/action`,
    body);
  const abort = el('button', 'Abort', { type: 'button' });
  abort.onclick = () => act(m, 'Abort', 'DELETE', base);
  const force = el('button', 'Force complete', { type: 'button' });
  force.onclick = () => action('Force complete', { force_complete: null });
  box.append(abort, force,
    setting(m, { name: 'downtime', text: 'Max downtime (ms)',
      label: 'Set max downtime', min: '1',
      value: (progress && progress.max_downtime_ms) || 500,
      send: (ms) => action('Set max downtime', { set_max_downtime: { ms } }),
    }),
    setting(m, { name: 'bandwidth', text: 'Bandwidth cap (MiB/s, 0: none)',
      label: 'Set bandwidth', min: '0',
      value: (progress && progress.bandwidth_mib_per_s) || 0,
      send: (n) => action('Set bandwidth', { set_bandwidth: { mib_per_s: n } }),
    }));
  return box;
}

// What a card shows of a migration, rebuilt at every poll.
function figures(m, progress) {
  const node = el('div', null, { class: 'figures' });
  node.append(el('h3', `${m.instance_uuid}`));
  node.append(el('p', `${m.source_compute} → ${m.dest_compute} · ` +
    `${m.migration_type} · ${m.status}`));
  const percent = progress ? progress.percent : null;
  const bar = el('progress', null, { max: '100',
    value: String(percent || 0), 'aria-label': 'Percent done' });
  node.append(bar, el('span', `${orDash(percent, '%')}`));
  const dl = el('dl');
  const add = (k, v) => dl.append(el('dt', k), el('dd', v));
  add('Memory', `${bytes(m.memory_processed)} of ${bytes(m.memory_total)}` +
    ` (${bytes(m.memory_remaining)} left)`);
  add('Disk', `${bytes(m.disk_processed)} of ${bytes(m.disk_total)}`);
  if (progress) {
    add('Transfer rate', rate(progress.transfer_rate));
    add('Dirty rate', rate(progress.dirty_rate));
    add('Iteration', orDash(progress.iteration));
    add('Expected downtime', orDash(progress.expected_downtime_ms, ' ms'));
    add('Max downtime', orDash(progress.max_downtime_ms, ' ms'));
    add('Bandwidth cap', progress.bandwidth_mib_per_s
      ? `${progress.bandwidth_mib_per_s} MiB/s` : 'none');
    add('ETA', seconds(progress.eta_seconds));
  }
  node.append(dl);
  if (progress) {
    const points = history.get(m.uuid) || [];
    const figure = el('figure', null, { class: 'chart-box' });
    const legend = el('figcaption', null, { class: 'legend' });
    legend.append(
      el('span', 'Remaining memory (left axis)', { class: 'key remaining' }),
      el('span', 'Dirty rate (right axis)', { class: 'key dirty' }));
    figure.append(chart(points, m.memory_total), legend);
    node.append(figure);
    const phases = el('ol', null, { class: 'phases', 'aria-label': 'Phases' });
    for (const [name, when] of Object.entries(progress.phases || {})) {
      phases.append(el('li', `${name}: ${when}`));
    }
    node.append(phases);
  }
  return node;
}

// A migration's card: made once, so that its controls (a value being
// typed, a button being pressed) outlive the polls; only its figures
// are replaced.
function card(m, progress) {
  let entry = cards.get(m.uuid);
  if (!entry) {
    const node = el('article', null, { class: 'card',
      'aria-label': `Migration ${m.id} of server ${m.instance_uuid}` });
    const box = controls(m, progress);
    node.append(el('div'), box);
    entry = { node, box };
    cards.set(m.uuid, entry);
  }
  entry.node.firstChild.replaceWith(figures(m, progress));
  if (progress && progress.post_copy_permitted &&
      !entry.box.querySelector('.post-copy')) {
    const base = `/servers/${m.instance_uuid}/migrations/${m.id}`;
    const pc = el('button', 'Switch to post-copy',
      { type: 'button', class: 'post-copy' });
    pc.onclick = () => act(m, 'Switch to post-copy', 'POST',
      `${base}/action`, { switch_to_post_copy: null });
    entry.box.append(pc);
  }
  return entry.node;
}

function remember(m, progress) {
  const points = history.get(m.uuid) || [];
  points.push({ t: Date.now() / 1000, remaining: m.memory_remaining,
    dirty: progress.dirty_rate });
  if (points.length > HISTORY) points.shift();
  history.set(m.uuid, points);
}

// From the server's list of its migrations in progress, not from
// GET .../migrations/{id}: a migration that ends between the two reads
// is then missing from a 200 answer instead of a 404 (which the browser
// logs as an error).
async function progressOf(m) {
  if (m.migration_type !== 'live-migration') return null;
  const result = await api('GET', `/servers/${m.instance_uuid}/migrations`);
  if (result.status !== 200) return null;
  const entry = result.data.migrations.find((x) => x.id === m.id);
  return entry ? entry.progress : null;
}

async function poll() {
  const query = IN_FLIGHT.map((s) => `status=${encodeURIComponent(s)}`)
    .join('&');
  const [flying, recent, volumes] = await Promise.all([
    api('GET', `/os-migrations?${query}`),
    api('GET', '/os-migrations?limit=20'),
    api('GET', '/volume-migrations', undefined, '/dashboard'),
  ]);
  if (flying.status === 401 || flying.status === 403) {
    signOut(`Not allowed: ${errorText(flying)}`);
    return;
  }
  if (flying.status !== 200) {
    $('updated').textContent = `The API answered ${flying.status}`;
    return;
  }
  const migrations = flying.data.migrations;
  const progresses = await Promise.all(migrations.map(progressOf));
  const nodes = migrations.map((m, i) => {
    if (progresses[i]) remember(m, progresses[i]);
    return card(m, progresses[i]);
  });
  const live = new Set(migrations.map((m) => m.uuid));
  for (const uuid of [...cards.keys()]) {
    if (!live.has(uuid)) cards.delete(uuid);
  }
  const box = $('in-flight');
  const same = nodes.length === box.children.length &&
    nodes.every((node, i) => box.children[i] === node);
  if (!same) {
    // Moving the cards loses the focus: give it back.
    const focused = document.activeElement;
    box.replaceChildren(...nodes);
    if (focused && focused.isConnected) focused.focus();
  }
  $('none').hidden = migrations.length > 0;
  if (recent.status === 200) {
    $('recent').replaceChildren(...recent.data.migrations.map((m) => {
      const row = el('tr');
      row.append(el('td', m.instance_uuid),
        el('td', `${m.source_compute} → ${m.dest_compute}`),
        el('td', m.migration_type), el('td', m.status),
        el('td', m.updated_at));
      return row;
    }));
  }
  if (volumes.status === 200) {
    const list = volumes.data.volume_migrations;
    $('volumes').replaceChildren(...volumeCards(list, Date.now() / 1000));
    $('no-volumes').hidden = list.length > 0;
    $('no-volumes').textContent = 'No volume migration in flight.';
  } else {
    $('volumes').replaceChildren();
    $('no-volumes').hidden = false;
    $('no-volumes').textContent =
      `Volume migrations: ${errorText(volumes)}`;
  }
  $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
}

function start() {
  $('login').hidden = true;
  $('live').hidden = false;
  poll();
  timer = setInterval(poll, POLL_MS);
}

function signOut(message) {
  clearInterval(timer);
  timer = null;
  token = '';
  sessionStorage.removeItem(TOKEN_KEY);
  cards.clear();
  $('in-flight').replaceChildren();
  $('volumes').replaceChildren();
  $('live').hidden = true;
  $('login').hidden = false;
  say('');
  $('whoami').textContent = message || '';
}

function init() {
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token = $('token').value.trim();
    sessionStorage.setItem(TOKEN_KEY, token);
    $('whoami').textContent = '';
    start();
  });
  $('logout').addEventListener('click', () => signOut());
  if (token) start();
}

if (typeof document !== 'undefined') {
  init();
}
