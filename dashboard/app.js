// Audit emulator dashboard: plain ES module, no build step. All data comes from /_emulator/* on this origin.

// The world shown: `?world=<id>` (the default world without it); its routes live under its prefix.
const WORLD = new URLSearchParams(location.search).get('world') || 'default';
const API = WORLD === 'default' ? '/_emulator' : `/_emulator/worlds/${encodeURIComponent(WORLD)}`;
const PAGE = 50;
// Vendor colours; amber is kept for injected events and scenario markers.
const COLORS = ['#2563eb', '#0d9488', '#9333ea', '#db2777', '#65a30d', '#0891b2', '#475569', '#dc2626'];

const $ = (id) => document.getElementById(id);

/** Build an element: h('li', {class: 'x', onclick: fn}, child, 'text'). Text is never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

async function api(path, init) {
  const res = await fetch(API + path, init);
  const text = await res.text();
  let body;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = { error: text };
  }
  if (!res.ok) throw Object.assign(new Error(body.error || `${res.status}`), { status: res.status, body });
  return body;
}

function post(path, body) {
  return api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
}

const state = {
  manifest: null,
  snippets: {}, // per vendor, from each vendor's own hooks (GET /_emulator/snippets)
  vendors: [],
  colors: {},
  people: [],
  now: Date.now(),
  nowAt: performance.now(),
  frozen: false,
  selected: new Set(),
  focus: null, // { name, keys: Set('vendor|id') } after applying a scenario
  cursor: '', // cursor for "load older"
  pagedBack: false,
  applied: [],
  tab: 'timeline',
};

// ---------- time helpers ----------
const pad = (n) => String(n).padStart(2, '0');
function fmtTime(iso) {
  const d = new Date(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
function emuNow() {
  return state.frozen ? state.now : state.now + (performance.now() - state.nowAt);
}
function setNow(iso, frozen) {
  state.now = Date.parse(iso);
  state.nowAt = performance.now();
  if (frozen !== undefined) state.frozen = frozen;
  renderClock();
}
function toLocalInput(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
// datetime-local inputs are read as UTC, like every time on this page.
const fromLocalInput = (v) => (v ? Date.parse(v + 'Z') : NaN);

// ---------- filters ----------
function filterParams({ forChart = false } = {}) {
  const p = new URLSearchParams();
  if (state.selected.size !== state.vendors.length) p.set('vendor', [...state.selected].join(','));
  const actor = $('f-person').value;
  const action = $('f-action').value.trim();
  const outcome = $('f-outcome').value;
  if (actor) p.set('actor', actor);
  if (action) p.set('action', action);
  if (outcome) p.set('outcome', outcome);
  if ($('f-injected').checked || (state.focus && !forChart)) p.set('injected', 'true');
  const range = $('f-range').value;
  if (range === 'custom') {
    const from = fromLocalInput($('f-from').value);
    const to = fromLocalInput($('f-to').value);
    if (Number.isFinite(from)) p.set('from', new Date(from).toISOString());
    if (Number.isFinite(to)) p.set('to', new Date(to).toISOString());
  } else if (!state.focus || forChart) {
    p.set('from', new Date(emuNow() - Number(range)).toISOString());
  }
  if (forChart && !p.has('from')) p.set('from', new Date(emuNow() - 86_400_000).toISOString());
  return p;
}

function selectedVendorsEmpty() {
  return state.selected.size === 0;
}

// ---------- timeline ----------
function eventKey(ev) {
  return `${ev.vendor}|${ev.id}`;
}

function renderEvent(ev) {
  const focused = state.focus?.keys.has(eventKey(ev));
  const li = h(
    'li',
    {
      class: `event${ev.injected ? ' injected' : ''}${focused ? ' focused' : ''}${ev.outcome === 'failure' ? ' failure' : ''}`,
      tabindex: 0,
      role: 'button',
      'aria-label': `${ev.vendor} ${ev.action} by ${ev.actor} at ${fmtTime(ev.time)}, ${ev.outcome}${ev.injected ? ', injected' : ''}. Open raw record`,
      dataset: { vendor: ev.vendor, id: ev.id, injected: String(ev.injected) },
      onclick: (e) => {
        if (e.target.closest('.actor')) return;
        openEvent(ev);
      },
      onkeydown: (e) => {
        if ((e.key === 'Enter' || e.key === ' ') && !e.target.closest('.actor')) {
          e.preventDefault();
          openEvent(ev);
        }
      },
    },
    h('time', { datetime: ev.time }, fmtTime(ev.time)),
    h('span', { class: 'vendor', style: `--c:${state.colors[ev.vendor] || '#666'}` }, ev.vendor),
    h(
      'button',
      {
        type: 'button',
        class: 'actor linkish',
        title: `${personFor(ev.actor)?.name ?? ev.actor}: show across all vendors`,
        onclick: () => showPerson(ev.actor),
      },
      ev.actor,
    ),
    h('span', { class: 'action' }, ev.action),
    h('span', { class: 'target' }, ev.target || ''),
    h('span', { class: `outcome ${ev.outcome}` }, ev.outcome === 'success' ? 'success' : 'failure'),
    h('span', { class: 'ip' }, ev.sourceIp || ''),
    ev.injected ? h('span', { class: 'tag' }, 'injected') : null,
  );
  return li;
}

let tlSeq = 0;
async function loadTimeline({ append = false } = {}) {
  const my = ++tlSeq;
  if (selectedVendorsEmpty()) {
    $('timeline').replaceChildren(h('li', { class: 'empty' }, 'No vendor selected.'));
    $('tl-more').hidden = true;
    return;
  }
  const p = filterParams();
  p.set('limit', String(PAGE));
  if (append && state.cursor) p.set('cursor', state.cursor);
  let body;
  $('timeline').setAttribute('aria-busy', 'true');
  try {
    body = await api(`/timeline?${p}`);
  } catch (err) {
    if (my === tlSeq) {
      $('tl-note').textContent = `(${err.message})`;
      $('timeline').setAttribute('aria-busy', 'false');
    }
    return;
  }
  if (my !== tlSeq) return; // a newer query answered or will answer
  $('timeline').setAttribute('aria-busy', 'false');
  $('tl-note').textContent = '';
  const list = $('timeline');
  const items = body.events.map(renderEvent);
  if (append) list.append(...items);
  else {
    // keep focus on the same row across live refreshes
    const active = document.activeElement?.closest?.('.event');
    const key = active && `${active.dataset.vendor}|${active.dataset.id}`;
    list.replaceChildren(...(items.length ? items : [h('li', { class: 'empty' }, 'No events match.')]));
    if (key) [...list.children].find((li) => `${li.dataset.vendor}|${li.dataset.id}` === key)?.focus({ preventScroll: true });
  }
  state.cursor = body.next;
  $('tl-more').hidden = !body.next;
}

// Live refresh: at most one timeline query in flight per 400 ms; skipped while the person pages back.
let refreshTimer = null;
function scheduleRefresh(chartToo = false) {
  if (chartToo) scheduleChart();
  if (state.pagedBack || refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    loadTimeline();
  }, 150);
}

let chartTimer = null;
function scheduleChart() {
  if (chartTimer) return;
  chartTimer = setTimeout(() => {
    chartTimer = null;
    loadChart();
  }, 500);
}

function resetPaging() {
  state.pagedBack = false;
  state.cursor = '';
  $('tl-newest').hidden = true;
}

function reload() {
  resetPaging();
  renderChips();
  loadTimeline();
  loadChart();
  renderPersonCard();
}

// ---------- chart ----------
let chartSeq = 0;
async function loadChart() {
  const my = ++chartSeq;
  if (selectedVendorsEmpty()) {
    $('chart').replaceChildren();
    return;
  }
  let hist;
  let applied;
  try {
    const [hh, ap] = await Promise.all([api(`/histogram?${filterParams({ forChart: true })}`), api('/scenarios/applied').catch(() => ({ applied: [] }))]);
    hist = hh;
    applied = state.applied = ap.applied || [];
  } catch (err) {
    if (my === chartSeq) $('chart-total').textContent = `(${err.message})`;
    return;
  }
  if (my !== chartSeq) return;
  drawChart(hist, applied);
  renderPersonCounts(hist);
}

function drawChart(hist, applied) {
  const NS = 'http://www.w3.org/2000/svg';
  const s = (tag, attrs = {}, ...kids) => {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    for (const k of kids) el.append(k);
    return el;
  };
  const n = hist.hours.length;
  const vendors = Object.keys(hist.series);
  const totals = hist.hours.map((_, i) => vendors.reduce((a, v) => a + hist.series[v][i], 0));
  const max = Math.max(1, ...totals);
  const W = 1000;
  const H = 180;
  const bw = W / n;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H + 18}`, preserveAspectRatio: 'none', class: 'chart-svg' });
  for (const v of vendors) {
    // one path per vendor: stacked bars in vendor order
    let d = '';
    hist.hours.forEach((_, i) => {
      const below = vendors.slice(0, vendors.indexOf(v)).reduce((a, u) => a + hist.series[u][i], 0);
      const c = hist.series[v][i];
      if (!c) return;
      const y0 = H - (below / max) * H;
      const hh = (c / max) * H;
      d += `M${(i * bw).toFixed(2)},${(y0 - hh).toFixed(2)}h${Math.max(bw - (n < 200 ? 1 : 0), 0.5).toFixed(2)}v${hh.toFixed(2)}h${(-Math.max(bw - (n < 200 ? 1 : 0), 0.5)).toFixed(2)}z`;
    });
    if (d) svg.append(s('path', { d, fill: state.colors[v] || '#888' }, s('title', {}, v)));
  }
  // hour-level tooltips: transparent columns
  hist.hours.forEach((hour, i) => {
    if (!totals[i]) return;
    const parts = vendors.filter((v) => hist.series[v][i]).map((v) => `${v} ${hist.series[v][i]}`);
    svg.append(
      s(
        'rect',
        { x: i * bw, y: 0, width: bw, height: H, fill: 'transparent' },
        s('title', {}, `${fmtTime(hour)}: ${totals[i]} (${parts.join(', ')})${hist.injected[i] ? `, ${hist.injected[i]} injected` : ''}`),
      ),
    );
  });
  const start = Date.parse(hist.hours[0]);
  const end = start + n * hist.bucketMs;
  // scenario markers
  for (const a of applied) {
    const t = Date.parse(a.at);
    if (!(t >= start && t < end)) continue;
    const x = ((t - start) / (end - start)) * W;
    svg.append(s('line', { x1: x, x2: x, y1: 0, y2: H, class: 'marker' }));
    svg.append(
      s('circle', { cx: x, cy: 6, r: 5, class: 'marker-dot' }, s('title', {}, `${a.name} applied at ${fmtTime(a.at)} (${(a.vendors || []).join(', ')})`)),
    );
  }
  // injected counts without a scenario record still get a tick
  hist.injected.forEach((c, i) => {
    if (c) svg.append(s('rect', { x: i * bw, y: H + 2, width: Math.max(bw, 2), height: 5, class: 'inj-tick' }, s('title', {}, `${c} injected`)));
  });
  svg.append(s('text', { x: 2, y: H + 16, class: 'axis' }, fmtTime(hist.hours[0]).slice(0, 16)));
  svg.append(s('text', { x: W - 2, y: H + 16, class: 'axis', 'text-anchor': 'end' }, fmtTime(new Date(end).toISOString()).slice(0, 16)));
  svg.append(s('text', { x: 2, y: 12, class: 'axis' }, `max ${max}/h`));
  $('chart').replaceChildren(svg);
  $('chart').setAttribute('aria-label', `Events per hour per vendor: ${hist.total} events over ${n} hours, ${applied.length} scenario marker(s)`);
  $('chart-total').textContent = `${hist.total.toLocaleString()} events, ${n} h`;
}

// ---------- people ----------
function personFor(actor) {
  const a = String(actor).toLowerCase();
  const local = a.includes('@') ? a.slice(0, a.indexOf('@')) : null;
  // Same rule as the server's actor filter: any identifier, the email inside, or `user@tenant`.
  return (
    state.people.find((p) => [p.email, p.username, p.name, p.id].some((k) => k && k.toLowerCase() === a)) ||
    state.people.find((p) => a.includes(p.email.toLowerCase())) ||
    (local ? state.people.find((p) => p.username.toLowerCase() === local || p.email.toLowerCase().split('@')[0] === local) : undefined)
  );
}

function showPerson(actor) {
  const person = personFor(actor);
  const sel = $('f-person');
  const value = person ? person.email : actor;
  if (![...sel.options].some((o) => o.value === value)) sel.append(h('option', { value }, value));
  sel.value = value;
  reload();
  $('person-card').scrollIntoView?.({ block: 'nearest' });
}

function renderPersonCard() {
  const card = $('person-card');
  const actor = $('f-person').value;
  if (!actor) {
    card.hidden = true;
    return;
  }
  const p = personFor(actor);
  card.hidden = false;
  card.replaceChildren(
    h(
      'div',
      { class: 'person-head' },
      h('h2', {}, p ? p.name : actor),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            $('f-person').value = '';
            reload();
          },
        },
        'Everyone',
      ),
    ),
    p
      ? h('p', {}, `${p.title}, ${p.department} · ${p.city}, ${p.country} · ${p.email} · user ${p.username} · role ${p.role}`)
      : h('p', {}, "Not one of the company's people: matching the actor text."),
    h('p', { id: 'person-counts', class: 'muted' }, 'Counting…'),
  );
}

function renderPersonCounts(hist) {
  const el = $('person-counts');
  if (!el) return;
  const parts = Object.entries(hist.series).map(([v, arr]) => `${v}: ${arr.reduce((a, b) => a + b, 0)}`);
  el.textContent = `In the chart's range, events by vendor: ${parts.join(' · ')}`;
}

// ---------- event detail ----------
let rawText = '';
async function openEvent(ev) {
  const dlg = $('event-dialog');
  $('ev-title').textContent = `${ev.vendor}: ${ev.action}`;
  $('ev-meta').textContent = `${fmtTime(ev.time)} · ${ev.actor} · id ${ev.id}${ev.injected ? ' · injected' : ''} · GET ${API}/events/${ev.vendor}/${ev.id}`;
  $('ev-raw').textContent = 'Loading…';
  if (!dlg.open) dlg.showModal();
  const res = await fetch(`${API}/events/${encodeURIComponent(ev.vendor)}/${encodeURIComponent(ev.id)}`);
  rawText = await res.text();
  showRaw();
}
function showRaw() {
  const pretty = $('ev-pretty').getAttribute('aria-pressed') === 'true';
  let out = rawText;
  if (pretty)
    try {
      out = JSON.stringify(JSON.parse(rawText), null, 2);
    } catch {
      /* show as sent */
    }
  $('ev-raw').textContent = out;
}

// ---------- clipboard ----------
async function copy(text, btn) {
  let ok;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    const ta = h('textarea', { style: 'position:fixed;opacity:0' });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    ok = document.execCommand('copy');
    ta.remove();
  }
  if (btn) {
    const was = btn.textContent;
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => (btn.textContent = was), 1200);
  }
}

// ---------- vendors ----------
function flatten(obj, prefix = '') {
  const out = [];
  for (const [k, v] of Object.entries(obj || {})) {
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...flatten(v, `${prefix}${k}.`));
    else if (Array.isArray(v)) out.push([prefix + k, v.map((x) => (x && typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')]);
    else out.push([prefix + k, String(v)]);
  }
  return out;
}

function renderVendors() {
  const m = state.manifest;
  $('vendors').replaceChildren(
    ...state.vendors.map((id) => {
      const v = m.providers[id];
      const extra = Object.entries(v).filter(([k]) => !['title', 'baseUrl', 'credentials'].includes(k));
      return h(
        'section',
        { class: 'panel vendor-card', 'aria-labelledby': `v-${id}`, style: `--c:${state.colors[id]}`, dataset: { vendor: id } },
        h('h2', { id: `v-${id}` }, h('span', { class: 'vendor' }, id), ' ', v.title),
        h(
          'dl',
          {},
          h('dt', {}, 'Base URL'),
          h('dd', {}, h('code', {}, v.baseUrl), ' ', h('button', { type: 'button', class: 'copy', onclick: (e) => copy(v.baseUrl, e.currentTarget) }, 'Copy')),
          ...flatten(v.credentials).flatMap(([k, val]) => [
            h('dt', {}, k),
            h(
              'dd',
              {},
              h('code', {}, val),
              ' ',
              h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${id} ${k}`, onclick: (e) => copy(val, e.currentTarget) }, 'Copy'),
            ),
          ]),
          ...extra.flatMap(([k, val]) => [h('dt', {}, k), h('dd', {}, h('code', {}, typeof val === 'string' ? val : JSON.stringify(val)))]),
        ),
        ...(state.snippets[id] ?? []).map((sn) =>
          h(
            'div',
            { class: 'snippet' },
            h(
              'div',
              { class: 'snippet-head' },
              h('span', {}, sn.label),
              h(
                'button',
                { type: 'button', class: 'copy copy-snippet', 'aria-label': `Copy ${id} snippet: ${sn.label}`, onclick: (e) => copy(sn.code, e.currentTarget) },
                'Copy snippet',
              ),
            ),
            h('pre', { tabindex: 0 }, h('code', {}, sn.code)),
          ),
        ),
      );
    }),
  );
}

// ---------- request log ----------
let reqSeq = 0;
async function loadRequests() {
  const my = ++reqSeq;
  const p = new URLSearchParams({ limit: '100' });
  if ($('r-vendor').value) p.set('vendor', $('r-vendor').value);
  let body;
  try {
    body = await api(`/requests?${p}`);
  } catch {
    return;
  }
  if (my !== reqSeq) return;
  let rows = body.requests;
  if ($('r-failed').checked) rows = rows.filter((r) => r.status >= 400);
  $('requests').replaceChildren(
    ...(rows.length
      ? rows.map((r) =>
          h(
            'tr',
            { class: r.status >= 400 ? 'refused' : '' },
            h('td', {}, fmtTime(r.time)),
            h('td', {}, h('span', { class: 'vendor', style: `--c:${state.colors[r.vendor] || '#666'}` }, r.vendor)),
            h('td', { class: 'path' }, `${r.method} ${r.path}`),
            h('td', {}, String(r.status)),
            h(
              'td',
              {},
              r.auth?.reason || (r.status >= 400 ? '' : 'ok'),
              r.auth?.canonical ? h('details', {}, h('summary', {}, 'Canonical string the emulator signed'), h('pre', {}, r.auth.canonical)) : null,
            ),
          ),
        )
      : [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No requests yet. Run a snippet from the Vendors tab.'))]),
  );
}

// ---------- scenarios ----------
async function loadScenarios() {
  const box = $('scenarios');
  let list;
  try {
    list = (await api('/scenarios')).scenarios || [];
  } catch {
    box.replaceChildren(h('p', { class: 'muted' }, 'This emulator offers no scenarios.'));
    return;
  }
  box.replaceChildren(
    ...list.map((sc) => {
      const inputs = (sc.params || []).map((p) => {
        const id = `sp-${sc.name}-${p.name}`;
        const type = p.type === 'number' || p.type === 'integer' ? 'number' : p.type === 'boolean' ? 'checkbox' : 'text';
        const input = h('input', { id, name: p.name, type, 'data-type': p.type });
        if (type === 'checkbox') input.checked = p.default === true;
        else if (p.default !== undefined) input.value = String(p.default);
        return h('label', { title: p.description || '' }, `${p.name} `, input);
      });
      const form = h(
        'form',
        { class: 'scenario', dataset: { scenario: sc.name } },
        h('h3', {}, sc.title || sc.name),
        sc.description ? h('p', { class: 'muted' }, sc.description) : null,
        sc.vendors?.length
          ? h('p', { class: 'vendors-line' }, ...sc.vendors.map((v) => h('span', { class: 'vendor', style: `--c:${state.colors[v] || '#666'}` }, v)))
          : null,
        inputs.length ? h('details', {}, h('summary', {}, 'Parameters'), ...inputs) : null,
        h('button', { type: 'submit', class: 'primary', 'aria-label': `Apply scenario ${sc.title || sc.name}` }, 'Apply'),
        h('span', { class: 'result', role: 'status' }),
      );
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const body = {};
        for (const input of form.querySelectorAll('input[name]')) {
          const t = input.dataset.type;
          if (t === 'boolean') body[input.name] = input.checked;
          else if (input.value === '') continue;
          else body[input.name] = t === 'number' || t === 'integer' ? Number(input.value) : input.value;
        }
        const out = form.querySelector('.result');
        out.textContent = 'Applying…';
        try {
          const r = await post(`/scenarios/${encodeURIComponent(sc.name)}`, body);
          out.textContent = `${(r.events || r.ids || []).length} events injected`;
          state.focus = { name: sc.name, keys: new Set((r.events || []).map((ev) => eventKey(ev))) };
          reload();
        } catch (err) {
          out.textContent = `Failed: ${err.message}`;
        }
      });
      return form;
    }),
  );
}

function renderChips() {
  const chips = $('chips');
  chips.replaceChildren();
  if (state.focus) {
    chips.append(
      h(
        'span',
        { class: 'chip' },
        `Scenario ${state.focus.name}: injected events`,
        h(
          'button',
          {
            type: 'button',
            'aria-label': 'Show all events',
            onclick: () => {
              state.focus = null;
              reload();
            },
          },
          '×',
        ),
      ),
    );
  }
}

// ---------- clock ----------
function renderClock() {
  $('clock-now').textContent = fmtTime(new Date(emuNow()).toISOString()) + ' UTC';
  $('clock-now').setAttribute('datetime', new Date(emuNow()).toISOString());
  $('clock-mode').textContent = state.frozen ? 'frozen' : 'running';
  $('clock-mode').className = `badge ${state.frozen ? 'frozen' : 'running'}`;
  $('clock-freeze').textContent = state.frozen ? 'Unfreeze' : 'Freeze';
  $('clock-freeze').setAttribute('aria-pressed', String(state.frozen));
}

async function clockChange(body) {
  const st = await post('/clock', body);
  setNow(st.now, st.frozen);
  reload();
}

// ---------- live stream ----------
function connect() {
  const es = new EventSource(`${API}/stream`);
  es.addEventListener('open', () => {
    $('live').textContent = 'live';
    $('live').className = 'live on';
  });
  es.addEventListener('error', () => {
    $('live').textContent = 'reconnecting…';
    $('live').className = 'live';
  });
  es.addEventListener('hello', (e) => {
    const d = JSON.parse(e.data);
    setNow(d.now, d.frozen);
  });
  es.addEventListener('tick', (e) => {
    const d = JSON.parse(e.data);
    setNow(d.now);
    if (!state.frozen) scheduleRefresh(); // history becomes visible as time passes
    if (state.tab === 'requests') loadRequests();
  });
  es.addEventListener('clock', (e) => {
    const d = JSON.parse(e.data);
    setNow(d.now, d.frozen);
    scheduleRefresh(true);
    if (state.tab === 'vendors') refreshManifest();
  });
  es.addEventListener('insert', () => scheduleRefresh(true));
  es.addEventListener('reset', () => {
    state.focus = null;
    reload();
    if (state.tab === 'vendors') refreshManifest();
  });
}

// ---------- tabs ----------
function selectTab(name) {
  state.tab = name;
  for (const t of ['timeline', 'vendors', 'requests']) {
    $(`tab-${t}`).setAttribute('aria-selected', String(t === name));
    $(`tab-${t}`).tabIndex = t === name ? 0 : -1;
    $(`view-${t}`).hidden = t !== name;
  }
  if (name === 'requests') loadRequests();
  if (name === 'vendors') refreshManifest();
}

// Credentials can change with the clock (tokens minted per emulator day) or a reset.
async function refreshManifest() {
  try {
    const [manifest, snippets] = await Promise.all([api('/manifest'), api('/snippets')]);
    state.manifest = manifest;
    state.snippets = snippets.snippets;
    renderVendors();
  } catch {
    /* keep what is shown */
  }
}

// ---------- worlds ----------
/** The world selector: every world by name (listed afresh when it gets focus); choosing one reloads the page on it. */
async function loadWorlds() {
  const sel = $('world');
  const { worlds } = await (await fetch('/_emulator/worlds')).json();
  sel.replaceChildren(...worlds.map((w) => h('option', { value: w.id, selected: w.id === WORLD }, w.id === w.name ? w.id : `${w.name} (${w.id})`)));
}

function chooseWorld(id) {
  const url = new URL(location.href);
  if (id === 'default') url.searchParams.delete('world');
  else url.searchParams.set('world', id);
  location.assign(url);
}

// ---------- start ----------
async function main() {
  $('world').addEventListener('change', (e) => chooseWorld(e.target.value));
  $('world').addEventListener('focus', () => loadWorlds().catch(() => {}));
  await loadWorlds().catch(() => {});
  const [manifest, people, snippets] = await Promise.all([api('/manifest'), api('/people'), api('/snippets')]);
  state.manifest = manifest;
  state.snippets = snippets.snippets;
  state.vendors = Object.keys(manifest.providers);
  state.vendors.forEach((v, i) => (state.colors[v] = COLORS[i % COLORS.length]));
  state.selected = new Set(state.vendors);
  state.people = people.people;
  $('company').textContent = people.company?.name || 'Audit emulator';
  setNow(manifest.now, manifest.frozen);

  const vf = $('vendor-filter');
  for (const v of state.vendors) {
    const cb = h('input', {
      type: 'checkbox',
      value: v,
      checked: true,
      onchange: (e) => {
        if (e.target.checked) state.selected.add(v);
        else state.selected.delete(v);
        reload();
      },
    });
    vf.append(
      h(
        'label',
        { class: 'check vendor-check', style: `--c:${state.colors[v]}` },
        cb,
        ' ',
        h('span', { class: 'vendor' }, v),
        ' ',
        manifest.providers[v].title,
      ),
    );
  }
  $('legend').replaceChildren(
    ...state.vendors.map((v) => h('span', { style: `--c:${state.colors[v]}` }, h('i', {}), v)),
    h('span', { class: 'lg-marker' }, h('i', {}), 'scenario applied'),
  );
  const sel = $('f-person');
  for (const p of [...state.people].sort((a, b) => a.name.localeCompare(b.name))) sel.append(h('option', { value: p.email }, `${p.name} (${p.role})`));
  for (const v of state.vendors) $('r-vendor').append(h('option', { value: v }, v));

  let typing;
  $('f-action').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(reload, 250);
  });
  for (const id of ['f-person', 'f-outcome', 'f-injected', 'f-from', 'f-to']) $(id).addEventListener('change', reload);
  $('f-range').addEventListener('change', () => {
    const custom = $('f-range').value === 'custom';
    $('custom-range').hidden = !custom;
    if (custom && !$('f-from').value) {
      $('f-from').value = toLocalInput(emuNow() - 86_400_000);
      $('f-to').value = toLocalInput(emuNow());
    }
    reload();
  });
  $('filters').addEventListener('submit', (e) => e.preventDefault());
  $('f-clear').addEventListener('click', () => {
    $('filters').reset();
    $('custom-range').hidden = true;
    state.selected = new Set(state.vendors);
    for (const cb of vf.querySelectorAll('input')) cb.checked = true;
    state.focus = null;
    reload();
  });
  $('tl-more').addEventListener('click', () => {
    state.pagedBack = true;
    $('tl-newest').hidden = false;
    loadTimeline({ append: true });
  });
  $('tl-newest').addEventListener('click', reload);

  $('clock-freeze').addEventListener('click', () => clockChange({ frozen: !state.frozen }));
  for (const b of document.querySelectorAll('[data-advance]')) b.addEventListener('click', () => clockChange({ advance: b.dataset.advance }));
  $('clock-real').addEventListener('click', () => clockChange({ frozen: false, set: new Date().toISOString() }));
  $('reset').addEventListener('click', async () => {
    const r = await post('/reset');
    state.focus = null;
    const st = await api('/clock');
    setNow(st.now ?? r.now, st.frozen);
    reload();
    loadScenarios();
  });

  for (const t of ['timeline', 'vendors', 'requests']) $(`tab-${t}`).addEventListener('click', () => selectTab(t));
  document.querySelector('.tabs').addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const order = ['timeline', 'vendors', 'requests'];
    const next = order[(order.indexOf(state.tab) + (e.key === 'ArrowRight' ? 1 : order.length - 1)) % order.length];
    selectTab(next);
    $(`tab-${next}`).focus();
  });
  $('r-vendor').addEventListener('change', loadRequests);
  $('r-failed').addEventListener('change', loadRequests);
  $('ev-pretty').addEventListener('click', (e) => {
    const on = e.currentTarget.getAttribute('aria-pressed') !== 'true';
    e.currentTarget.setAttribute('aria-pressed', String(on));
    showRaw();
  });
  $('ev-copy').addEventListener('click', (e) => copy(rawText, e.currentTarget));

  // On a phone the filters start folded so the timeline is on the first screen.
  if (window.matchMedia('(max-width: 900px)').matches) $('filters-box').open = false;
  setInterval(renderClock, 1000);
  renderVendors();
  reload();
  loadScenarios();
  connect();
  document.body.dataset.ready = 'true';
}

main().catch((err) => {
  document.body.prepend(h('p', { class: 'fatal', role: 'alert' }, `Dashboard failed to start: ${err.message}`));
});
