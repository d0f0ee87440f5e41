// The dashboard's front end: plain browser JavaScript over the JSON API; charts are Vega-Lite specs rendered by vega.
/* global vega, vegaLite */
'use strict';

const state = { runs: [], selected: [], details: new Map(), views: {}, studies: [], study: null, studyViews: {} };
window.dashboard = state; // read by the browser tests

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
};
const api = async (path) => {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};
const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v));

/** TensorBoard's smoothing: an exponential moving average, debiased for the first points (as in its scalar card). */
function smooth(values, weight) {
  let last = 0;
  let count = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * weight + (1 - weight) * v;
    count++;
    const debias = weight === 1 ? 1 : 1 - Math.pow(weight, count);
    return last / debias;
  });
}

const SPLITS = 'train|val|valid|validation|test';
/** 'epoch/val_loss' → chart 'loss' (the metric without its split), so train and val share a chart. */
function metricOf(tag) {
  const leaf = tag.split('/').pop();
  const prefix = new RegExp(`^(${SPLITS})[_.-](.+)$`).exec(leaf);
  if (prefix) return prefix[2];
  const suffix = new RegExp(`^(.+)[_.-](${SPLITS})$`).exec(leaf);
  return suffix ? suffix[1] : leaf;
}

/** The run's own folder name (its timestamp), short enough for a legend. */
const runName = (id) => id.split('/').pop();

function runLabel(id) {
  const run = state.runs.find((r) => r.id === id);
  return run ? [run.experiment, run.name].filter(Boolean).join('/') : id;
}

// ---- run list -------------------------------------------------------------------------------------------------
function renderRuns() {
  const text = $('filter').value.trim().toLowerCase();
  const status = $('status').value;
  const body = $('runs').querySelector('tbody');
  body.replaceChildren();
  for (const run of state.runs) {
    // started: when the run says it started (MLflow's start_time), else its last write
    const when = new Date(run.started ?? run.updated).toISOString();
    const hay = `${run.project} ${run.experiment} ${run.name} ${when}`.toLowerCase();
    if ((text && !text.split(/\s+/).every((w) => hay.includes(w))) || (status && run.status !== status)) continue;
    const checked = state.selected.includes(run.id);
    const box = el('input', {
      type: 'checkbox',
      onclick: (e) => {
        e.stopPropagation();
        toggleRun(run.id, e.target.checked);
      },
    });
    box.checked = checked;
    const best = run.best ? `${run.best.name} ${fmt(run.best.value)}` : '';
    body.append(
      el(
        'tr',
        { class: checked ? 'selected' : '', 'data-run': run.id, onclick: () => selectOnly(run.id) },
        el('td', {}, box),
        el('td', {}, run.project),
        el('td', {}, run.experiment),
        el('td', { title: run.id }, run.name),
        el('td', { class: `status-${run.status}` }, run.status),
        el('td', { class: 'best' }, best),
        el('td', { class: 'when', title: when }, when.slice(0, 16).replace('T', ' ')),
      ),
    );
  }
}

async function loadRuns() {
  state.runs = await api('/api/runs');
  state.selected = state.selected.filter((id) => state.runs.some((r) => r.id === id));
  renderRuns();
}

function selectOnly(id) {
  closeStudy();
  state.selected = [id];
  refreshSelection();
}
function toggleRun(id, on) {
  closeStudy();
  state.selected = on ? [...new Set([...state.selected, id])] : state.selected.filter((x) => x !== id);
  refreshSelection();
}

async function refreshSelection(reload = []) {
  renderRuns();
  for (const id of state.selected) {
    if (!state.details.has(id) || reload.includes(id))
      state.details.set(id, await api(`/api/run?id=${encodeURIComponent(id)}`));
  }
  $('empty').hidden = state.selected.length > 0 || state.study !== null;
  await Promise.all([renderCharts(), renderImages(), renderFiles(), renderConfig()]);
}

// ---- scalar charts --------------------------------------------------------------------------------------------
async function renderCharts() {
  const section = $('scalars-section');
  const weight = Number($('smoothing').value);
  const logY = $('logy').checked;
  const tagFilter = $('tag-filter').value.trim().toLowerCase();
  const byMetric = new Map();
  for (const id of state.selected) {
    for (const s of state.details.get(id).scalars) {
      if (s.points.length < 2 || (tagFilter && !s.tag.toLowerCase().includes(tagFilter))) continue;
      const metric = metricOf(s.tag);
      if (!byMetric.has(metric)) byMetric.set(metric, []);
      const series = state.selected.length > 1 ? `${runName(id)} ${s.tag.split('/').pop()}` : s.tag;
      const smoothed = smooth(
        s.points.map((p) => p.value),
        weight,
      );
      s.points.forEach((p, i) => {
        if (logY && !(p.value > 0)) return;
        byMetric.get(metric).push({ series, step: p.step, value: p.value, smoothed: smoothed[i] });
      });
    }
  }
  Object.values(state.views).forEach((v) => v.finalize());
  state.views = {};
  const charts = $('charts');
  charts.replaceChildren();
  section.hidden = byMetric.size === 0;
  for (const [metric, rows] of byMetric) {
    const holder = el('div', { class: 'chart', 'data-metric': metric });
    charts.append(holder);
    const perSeries = rows.length / new Set(rows.map((r) => r.series)).size;
    const y = { type: 'quantitative', title: metric, scale: { type: logY ? 'log' : 'linear', zero: false } };
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: metric,
      width: 330,
      height: 200,
      data: { name: 'points', values: rows },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        color: {
          field: 'series',
          type: 'nominal',
          title: null,
          legend: { orient: 'bottom', columns: 1, labelLimit: 330, symbolOpacity: 1 },
        },
      },
      layer: [
        // The raw values, faint; the smoothed line on top (as TensorBoard draws them).
        {
          mark: { type: 'line', opacity: weight > 0 ? 0.25 : 1, aria: false },
          encoding: { y: { field: 'value', ...y } },
        },
        ...(weight > 0 ? [{ mark: { type: 'line', aria: false }, encoding: { y: { field: 'smoothed', ...y } } }] : []),
        ...(perSeries <= 100
          ? [
              {
                mark: { type: 'point', filled: true, size: 18, tooltip: { content: 'data' } },
                encoding: { y: { field: 'value', ...y }, opacity: { value: weight > 0 ? 0.35 : 1 } },
              },
            ]
          : []),
      ],
    };
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), {
      renderer: 'svg',
      container: holder,
      hover: true,
    });
    state.views[metric] = view;
    await view.runAsync();
  }
}

// ---- images ---------------------------------------------------------------------------------------------------
function renderImages() {
  const box = $('images');
  box.replaceChildren();
  for (const id of state.selected) {
    for (const [tag, list] of Object.entries(state.details.get(id).images)) {
      const img = el('img', { alt: tag });
      const label = el('span');
      const slider = el('input', {
        type: 'range',
        min: '0',
        max: String(list.length - 1),
        value: String(list.length - 1),
      });
      const show = () => {
        const i = Number(slider.value);
        img.src = `/api/image?id=${encodeURIComponent(id)}&tag=${encodeURIComponent(tag)}&index=${i}`;
        label.textContent = ` step ${list[i].step} (${i + 1}/${list.length})`;
      };
      slider.addEventListener('input', show);
      show();
      const name = state.selected.length > 1 ? `${runLabel(id)} · ${tag}` : tag;
      box.append(
        el('div', { class: 'image-tag', 'data-tag': tag }, el('div', {}, el('b', {}, name), label), slider, img),
      );
    }
  }
  $('images-section').hidden = box.childElementCount === 0;
}

function renderFiles() {
  const box = $('files');
  box.replaceChildren();
  for (const id of state.selected) {
    for (const file of state.details.get(id).pngs) {
      const src = `/files/${[...id.split('/'), ...file.split('/')].filter(Boolean).map(encodeURIComponent).join('/')}`;
      box.append(el('figure', {}, el('img', { src, alt: file }), el('figcaption', {}, `${runLabel(id)} · ${file}`)));
    }
  }
  $('files-section').hidden = box.childElementCount === 0;
}

// ---- config and config diff -----------------------------------------------------------------------------------
function flatten(value, prefix = '', out = []) {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.push([prefix, value]);
  return out;
}

async function renderConfig() {
  const box = $('config');
  box.replaceChildren();
  if (state.selected.length === 2) {
    const [a, b] = state.selected;
    const diff = await api(`/api/diff?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
    const table = el(
      'table',
      { class: 'diff', id: 'config-diff' },
      el('tr', {}, el('th', {}, 'key'), el('th', {}, runLabel(a)), el('th', {}, runLabel(b))),
    );
    for (const d of diff) {
      table.append(
        el(
          'tr',
          {},
          el('td', {}, d.key),
          el('td', { class: 'a' }, JSON.stringify(d.a) ?? '—'),
          el('td', { class: 'b' }, JSON.stringify(d.b) ?? '—'),
        ),
      );
    }
    box.append(el('p', {}, `${diff.length} differing keys`), table);
  } else {
    for (const id of state.selected) {
      const { config, results } = state.details.get(id);
      if (results)
        box.append(
          el('h3', {}, `${runLabel(id)} · results`),
          table2(flatten(results).filter(([, v]) => !Array.isArray(v))),
        );
      if (config) box.append(el('h3', {}, `${runLabel(id)} · config`), table2(flatten(config)));
    }
  }
  $('config-section').hidden = box.childElementCount === 0;
}
const table2 = (rows) =>
  el(
    'table',
    {},
    ...rows.map(([k, v]) => el('tr', {}, el('td', {}, k), el('td', {}, typeof v === 'string' ? v : JSON.stringify(v)))),
  );

// ---- search studies: the same Vega-Lite specs as `tools visualise --mode search`, and the trials --------------------
const studyKey = (storage, name) => `${storage}::${name}`;

function renderStudies() {
  const body = $('studies').querySelector('tbody');
  body.replaceChildren();
  for (const s of state.studies) {
    if (s.error) {
      body.append(
        el('tr', { class: 'error' }, el('td', {}, '—'), el('td', {}, s.storage), el('td', { colspan: '3' }, s.error)),
      );
      continue;
    }
    const key = studyKey(s.storage, s.studyName);
    const counts = Object.entries(s.states)
      .map(([state, n]) => `${n} ${state.toLowerCase()}`)
      .join(', ');
    const best = s.best ? `${fmt(s.best.value)} (#${s.best.number})` : '';
    const open = state.study && studyKey(state.study.storage, state.study.name) === key;
    body.append(
      el(
        'tr',
        { class: open ? 'selected' : '', 'data-study': key, onclick: () => openStudy(s.storage, s.studyName) },
        el('td', {}, s.studyName),
        el('td', { title: s.storage }, s.storage),
        el('td', {}, s.direction.toLowerCase()),
        el('td', { title: counts }, String(s.nTrials)),
        el('td', { class: 'best' }, best),
      ),
    );
  }
  $('no-studies').hidden = state.studies.length > 0;
}

async function loadStudies() {
  try {
    state.studies = await api('/api/studies');
  } catch {
    state.studies = []; // a dashboard started without the studies route
  }
  renderStudies();
}

function closeStudy() {
  state.study = null;
  Object.values(state.studyViews).forEach((v) => v.finalize());
  state.studyViews = {};
  $('study-section').hidden = true;
  renderStudies();
}

async function openStudy(storage, name) {
  state.selected = [];
  state.study = { storage, name };
  renderStudies();
  await refreshSelection();
  await renderStudy();
}

async function renderStudy() {
  if (!state.study) return;
  const { storage, name } = state.study;
  const d = await api(`/api/studies?storage=${encodeURIComponent(storage)}&study=${encodeURIComponent(name)}`);
  state.studyDetails = d;
  $('study-section').hidden = false;
  $('study-title').textContent = `Study ${d.studyName} (${d.direction.toLowerCase()}) · ${d.storage}`;
  const counts = Object.entries(d.states).map(([s, n]) => `${n} ${s.toLowerCase()}`);
  $('study-summary').textContent =
    `${d.nTrials} trials: ${counts.join(', ')}` +
    (d.best ? `; best ${fmt(d.best.value)} at trial ${d.best.number}` : '');
  Object.values(state.studyViews).forEach((v) => v.finalize());
  state.studyViews = {};
  for (const holder of document.querySelectorAll('#study-charts .study-chart')) {
    const plot = holder.getAttribute('data-plot');
    holder.replaceChildren();
    const spec = d.specs[plot];
    if (!spec) {
      holder.append(
        el('p', { class: 'hint' }, plot === 'param_importances' ? `importances: ${d.importancesError}` : ''),
      );
      continue;
    }
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), {
      renderer: 'svg',
      container: holder,
      hover: true,
    });
    state.studyViews[plot] = view;
    await view.runAsync();
  }
  const params = d.params;
  const table = $('trials');
  table.replaceChildren(
    el('tr', {}, ...['#', 'state', 'value', ...params, 'completed'].map((h) => el('th', {}, h))),
    ...d.trials.map((t) =>
      el(
        'tr',
        { 'data-trial': String(t.number) },
        // the trial's run folder (tools search writes <study>/trial_<n>/): a click opens that run
        el(
          'td',
          {},
          t.run
            ? el('a', { href: '#', class: 'trial-run', onclick: () => selectOnly(t.run) }, String(t.number))
            : String(t.number),
        ),
        el('td', { class: `state-${t.state.toLowerCase()}` }, t.state),
        el('td', { class: 'best' }, t.value === null ? '' : fmt(t.value)),
        ...params.map((p) => el('td', {}, p in t.params ? fmt(t.params[p]) : '')),
        el('td', {}, t.datetimeComplete ? t.datetimeComplete.slice(0, 19) : ''),
      ),
    ),
  );
}

// ---- live updates: the server pushes the ids of runs whose files changed ------------------------------------------
function listen() {
  const source = new EventSource('/api/events');
  source.onopen = () => $('live').classList.add('on');
  source.onerror = () => $('live').classList.remove('on');
  source.addEventListener('runs', async (event) => {
    const { changed } = JSON.parse(event.data);
    await loadRuns();
    const reload = changed.filter((id) => state.selected.includes(id));
    changed.forEach((id) => state.details.delete(id));
    if (reload.length) await refreshSelection(reload);
    state.updates = (state.updates ?? 0) + 1;
  });
  // A trial was added, finished or reported a value in some study: reload the list and the open study.
  source.addEventListener('studies', async () => {
    await loadStudies();
    await renderStudy();
    state.studyUpdates = (state.studyUpdates ?? 0) + 1;
  });
}

for (const id of ['filter', 'status']) $(id).addEventListener('input', renderRuns);
for (const id of ['smoothing', 'logy', 'tag-filter'])
  $(id).addEventListener('input', () => {
    $('smoothing-value').textContent = Number($('smoothing').value).toFixed(2);
    renderCharts();
  });
Promise.all([loadRuns(), loadStudies()]).then(() => {
  listen();
  state.ready = true;
});
