// SPDX-License-Identifier: Apache-2.0
// The drawing app: pointer-event drawing on #pad, live prediction through tinylite's WebAssembly
// runtime (tinylite.js), probability bars, the 28x28 image the model saw, a model picker, offline.
import { loadRuntime } from './tinylite.js';

const $ = (sel) => document.querySelector(sel);
const pad = $('#pad');
const ctx = pad.getContext('2d', { willReadFrequently: true });
const W = pad.width, H = pad.height;
const pred = $('#prediction'), digitEl = $('#digit'), predText = $('#prediction-text');
const seen = $('#seen').getContext('2d');
const statusEl = $('#status');

let runtime = null;
const models = new Map(); // id -> { meta, model, error, times[], optionEl }
let current = null;
let strokes = 0;
let drawing = null; // pointerId of the stroke in progress
let last = null;
let frameQueued = false;
let firstShown = false;

// ---- drawing ------------------------------------------------------------------------------------
function clearPad() {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, W, H);
  strokes = 0;
  drawing = null;
  pad.dataset.strokes = '0';
  showEmpty();
}

function penWidth() { return Number($('#pen').value); }

function point(e) {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) * W) / r.width, y: ((e.clientY - r.top) * H) / r.height };
}

function segment(a, b) {
  ctx.strokeStyle = '#000';
  ctx.lineWidth = penWidth();
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(b.x, b.y);
  ctx.stroke();
}

pad.addEventListener('pointerdown', (e) => {
  if (e.pointerType === 'mouse' && e.button !== 0) return;
  if (drawing !== null) return; // one stroke at a time (a second finger is ignored)
  e.preventDefault();
  try {
    pad.setPointerCapture(e.pointerId); // keep the stroke when the pointer leaves the pad
  } catch { /* a synthetic event's pointer can't be captured: draw without capture */ }
  drawing = e.pointerId;
  last = point(e);
  segment(last, last); // a tap leaves a dot
  queueFrame();
});

pad.addEventListener('pointermove', (e) => {
  if (e.pointerId !== drawing) return;
  e.preventDefault();
  const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
  for (const ev of events.length ? events : [e]) {
    const p = point(ev);
    segment(last, p);
    last = p;
  }
  queueFrame();
});

function endStroke(e) {
  if (e.pointerId !== drawing) return;
  drawing = null;
  strokes++;
  pad.dataset.strokes = String(strokes);
  classify(); // at stroke end, always
}
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);
pad.addEventListener('contextmenu', (e) => e.preventDefault());
pad.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' || e.key === 'Delete' || e.key === 'Backspace') {
    e.preventDefault();
    clearPad();
  }
});
$('#clear').addEventListener('click', clearPad);
$('#pen').addEventListener('input', () => { $('#pen-value').value = $('#pen').value; });

// While drawing: at most one prediction per animation frame.
function queueFrame() {
  if (frameQueued) return;
  frameQueued = true;
  requestAnimationFrame(() => {
    frameQueued = false;
    if (drawing !== null) classify();
  });
}

// ---- prediction ---------------------------------------------------------------------------------
const bars = [];
for (let d = 0; d < 10; d++) {
  const li = document.createElement('li');
  li.innerHTML = `<span class="pct" aria-hidden="true">0%</span><span class="bar"><span class="fill"></span></span><span class="label" aria-hidden="true">${d}</span>`;
  li.setAttribute('aria-label', `${d}: 0%`);
  $('#bars').append(li);
  bars.push(li);
}

function showEmpty(message = 'Draw a digit') {
  pred.removeAttribute('data-digit');
  pred.removeAttribute('data-confidence');
  pred.dataset.strokes = String(strokes);
  digitEl.textContent = '?';
  predText.textContent = message;
  drawBars(null);
  drawSeen(null);
}

function drawBars(probs) {
  let best = -1;
  if (probs) best = probs.indexOf(Math.max(...probs));
  bars.forEach((li, d) => {
    const p = probs ? probs[d] : 0;
    const pct = `${Math.round(p * 100)}%`;
    li.querySelector('.fill').style.height = `${(p * 100).toFixed(2)}%`;
    li.querySelector('.pct').textContent = pct;
    li.setAttribute('aria-label', `${d}: ${(p * 100).toFixed(1)}%`);
    li.classList.toggle('top', d === best);
  });
}

function drawSeen(image) {
  const img = seen.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = image ? Math.round(image[i] * 255) : 0;
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  seen.putImageData(img, 0, 0);
}

function classify() {
  const entry = models.get(current);
  if (!entry || !entry.model) return; // classified once the model is ready
  if (strokes === 0 && drawing === null) return showEmpty();
  let r;
  try {
    r = entry.model.classify(ctx.getImageData(0, 0, W, H));
  } catch (err) {
    showEmpty('Something went wrong: ' + err.message);
    return;
  }
  if (r.empty) return showEmpty();
  entry.times.push(r.invokeMs);
  if (entry.times.length > 15) entry.times.shift();
  updateOption(entry);
  pred.dataset.digit = String(r.digit);
  pred.dataset.confidence = r.confidence.toFixed(4);
  pred.dataset.strokes = String(strokes);
  pred.dataset.model = current;
  digitEl.textContent = String(r.digit);
  predText.textContent = `Prediction: ${r.digit}, confidence ${r.confidence.toFixed(2)}`;
  drawBars(r.probs);
  drawSeen(r.image);
  if (!firstShown) {
    firstShown = true;
    performance.mark('tl-first-prediction');
  }
}

// ---- models -------------------------------------------------------------------------------------
const kb = (n) => `${Math.round(n / 1024)} KB`;
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

function updateOption(entry) {
  const meta = entry.optionEl.querySelector('.meta');
  let text = `${kb(entry.meta.bytes)}`;
  if (entry.error) text += ' · could not load';
  else if (entry.times.length) text += ` · ${median(entry.times).toFixed(2)} ms per run`;
  else text += ' · loading…';
  meta.textContent = text;
  if (entry.error) entry.optionEl.querySelector('.err').textContent = entry.error;
}

function buildPicker(list) {
  const fs = $('#model-picker');
  fs.querySelector('.hint').remove();
  for (const meta of list) {
    const id = `model-${meta.id}`;
    const label = document.createElement('label');
    label.className = 'model-option';
    label.htmlFor = id;
    label.innerHTML = `<input type="radio" name="model" disabled>
      <span><strong></strong> <span class="meta"></span><br><span class="source"></span> <span class="err"></span></span>`;
    const input = label.querySelector('input');
    input.id = id;
    input.value = meta.id;
    label.querySelector('strong').textContent = meta.label; // names come from models.json: text, not HTML
    label.querySelector('.source').textContent = meta.source;
    fs.append(label);
    const entry = { meta, model: null, error: null, times: [], optionEl: label };
    models.set(meta.id, entry);
    updateOption(entry);
    label.querySelector('input').addEventListener('change', () => selectModel(meta.id));
  }
}

function selectModel(id) {
  current = id;
  const input = $(`#model-${id}`);
  if (input) input.checked = true;
  try { localStorage.setItem('tinylite-model', id); } catch { /* private mode */ }
  classify();
}

async function fetchModel(entry) {
  const res = await fetch(entry.meta.file);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.arrayBuffer();
}

async function loadEntry(entry, bytes = fetchModel(entry)) {
  try {
    entry.model = runtime.loadModel(await bytes);
    entry.times.push(entry.model.time(7));
    entry.optionEl.querySelector('input').disabled = false;
  } catch (err) {
    entry.error = err.message;
  }
  updateOption(entry);
}

async function main() {
  clearPad();
  // The runtime, the model list and then the first model download in parallel: the first
  // prediction waits for the slowest of them, not for their sum.
  // ?runtime=base or ?runtime=simd forces a build (tests); the default is feature detection.
  const force = new URLSearchParams(location.search).get('runtime');
  const runtimeP = loadRuntime(force ? { simd: force === 'simd' } : {});
  runtimeP.catch(() => {}); // reported below
  let list;
  try {
    list = await (await fetch('models.json')).json();
  } catch (err) {
    statusEl.textContent = `Could not read the model list: ${err.message}`;
    return;
  }
  buildPicker(list);
  if (!list.length) {
    statusEl.textContent = 'No model in this build.';
    return;
  }
  let saved = null;
  try { saved = localStorage.getItem('tinylite-model'); } catch { /* private mode */ }
  const first = models.get(saved) ? saved : list[0].id;
  const firstBytes = fetchModel(models.get(first));
  firstBytes.catch(() => {}); // reported by loadEntry
  try {
    runtime = await runtimeP;
  } catch (err) {
    statusEl.textContent = `Could not start the WebAssembly runtime: ${err.message}`;
    return;
  }
  performance.mark('tl-runtime-ready');
  await loadEntry(models.get(first), firstBytes);
  performance.mark('tl-model-ready');
  const usable = models.get(first).model ? first : null;
  if (usable) selectModel(usable);
  statusEl.textContent = usable ? 'Ready: draw a digit.' : 'The model could not be loaded.';
  $('#runtime-info').textContent =
    `Runtime: tinylite ${runtime.variant === 'simd' ? 'WebAssembly SIMD' : 'WebAssembly'} build, loaded in ${Math.round(runtime.loadMs)} ms.`;
  fetch('build-info.json').then((r) => r.json()).then((info) => {
    const r = info.runtime[runtime.variant];
    if (r) $('#runtime-info').textContent += ` ${kb(r.total)} (wasm + JS).`;
  }).catch(() => {});
  // The other models in the background, for the picker's sizes and latencies.
  for (const entry of models.values()) {
    if (entry.model || entry.error) continue;
    await loadEntry(entry);
    if (!current && entry.model) selectModel(entry.meta.id);
  }
  registerServiceWorker();
}

// ---- offline and install ------------------------------------------------------------------------
function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('sw.js').then(() => navigator.serviceWorker.ready).then(() => {
    statusEl.textContent = statusEl.textContent.replace(/\s*Works offline\.$/, '') + ' Works offline.';
    document.documentElement.dataset.offlineReady = 'true';
  }).catch(() => {});
}

let installPrompt = null;
window.addEventListener('beforeinstallprompt', (e) => {
  e.preventDefault();
  installPrompt = e;
  $('#install').hidden = false;
});
$('#install').addEventListener('click', async () => {
  if (!installPrompt) return;
  installPrompt.prompt();
  await installPrompt.userChoice;
  installPrompt = null;
  $('#install').hidden = true;
});

main();
