// SPDX-License-Identifier: Apache-2.0
// End-to-end tests of the web app in a real browser (Debian's chromium driven by playwright-core): draws
// digits with pointer events, checks predictions, timing, offline use, install, accessibility, size,
// and that `tinylite classify` gives the same digit and confidence for the same drawings.
//
// Env: TL_WEB_DIST (a built site; default: build it with web/build.sh into $TL_BUILD_DIR/web-app),
// TL_CLI (the tinylite binary; default $TL_BUILD_DIR/tinylite), TL_WEB_ARTIFACTS (screenshots and
// PNGs; default $TL_BUILD_DIR/web-e2e), TL_E2E_PER_CLASS (drawings per digit, default 4).
// Exit 77 (skipped) when chromium, emscripten or node_modules are missing, unless CI=true.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDrawings } from './digits.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const buildDir = process.env.TL_BUILD_DIR || path.join(root, 'build');
const artifacts = process.env.TL_WEB_ARTIFACTS || path.join(buildDir, 'web-e2e');
const cli = process.env.TL_CLI || path.join(buildDir, 'tinylite');
const chromiumPath = process.env.TL_CHROMIUM || '/usr/bin/chromium';
const perClass = Number(process.env.TL_E2E_PER_CLASS || 4);
const ci = process.env.CI === 'true';
const DEADLINE_MS = 15 * 60 * 1000;

function skip(why) {
  console.log(`web e2e: ${ci ? 'FAILED' : 'skipped'}: ${why}`);
  process.exit(ci ? 1 : 77);
}

// ---- prerequisites -------------------------------------------------------------------------------
if (!fs.existsSync(chromiumPath)) skip(`${chromiumPath} not found (scripts/setup.sh installs chromium)`);
let chromium;
try {
  ({ chromium } = await import(path.join(root, 'node_modules/playwright-core/index.mjs')));
} catch {
  skip('node_modules/playwright-core missing (run scripts/setup.sh)');
}
const httpServerBin = path.join(root, 'node_modules/http-server/bin/http-server');
if (!fs.existsSync(httpServerBin)) skip('node_modules/http-server missing (run scripts/setup.sh)');

let dist = process.env.TL_WEB_DIST;
if (!dist) {
  const which = spawnSyncOk('sh', ['-c', 'command -v emcmake']);
  if (!which) skip('emscripten (emcmake) not found (scripts/setup.sh installs it)');
  const out = path.join(buildDir, 'web-app');
  console.log(`building the web app: web/build.sh --out ${out}`);
  try {
    execFileSync(path.join(root, 'web/build.sh'), ['--out', out], { stdio: 'inherit' });
  } catch {
    console.log('web e2e: web/build.sh failed');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  dist = path.join(out, 'dist');
}
fs.mkdirSync(artifacts, { recursive: true });

function spawnSyncOk(cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// ---- tiny harness --------------------------------------------------------------------------------
let passed = 0, failed = 0;
const summary = [];
function check(name, ok, detail = '') {
  if (ok) passed++;
  else failed++;
  const line = `${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`;
  console.log(line);
  summary.push(line);
}
const timer = setTimeout(() => {
  console.log(`web e2e: deadline of ${DEADLINE_MS / 1000} s exceeded`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, DEADLINE_MS);

// ---- static server (http-server from npm), on a free loopback port ----------------------------
async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
async function startServer(port) {
  const proc = spawn(process.execPath, [httpServerBin, dist, '-a', '127.0.0.1', '-p', String(port), '-c-1', '--silent'],
                     { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/index.html`);
      if (r.ok) return proc;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error('http-server did not start');
}
function stopServer(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once('exit', resolve);
    proc.kill();
  });
}

// ---- browser -------------------------------------------------------------------------------------
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
async function launch(options = {}) {
  const userDir = fs.mkdtempSync(path.join(artifacts, 'profile-'));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: chromiumPath, headless: true, args: ARGS, viewport: { width: 1100, height: 860 }, ...options,
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => console.log(`  page error: ${e.message}`));
  return { context, page, close: async () => { await context.close(); fs.rmSync(userDir, { recursive: true, force: true }); } };
}
async function waitReady(page) {
  await page.waitForFunction(() => /^Ready/.test(document.querySelector('#status')?.textContent || ''), null,
                             { timeout: 20000 });
}
async function setPen(page, width) {
  await page.$eval('#pen', (el, w) => { el.value = String(w); el.dispatchEvent(new Event('input')); }, width);
}
// Draws one drawing with the mouse (pointer events of type mouse) and waits for the prediction of
// all its strokes. Returns { digit, confidence } (digit null when none is shown).
async function drawWithMouse(page, drawing) {
  await page.click('#clear');
  await setPen(page, drawing.pen);
  const box = await page.locator('#pad').boundingBox();
  const k = box.width / 280;
  for (const stroke of drawing.strokes) {
    const [x0, y0] = stroke[0];
    await page.mouse.move(box.x + x0 * k, box.y + y0 * k);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) await page.mouse.move(box.x + x * k, box.y + y * k);
    await page.mouse.up();
  }
  return readPrediction(page, drawing.strokes.length);
}
async function readPrediction(page, strokes) {
  await page.waitForFunction((n) => document.querySelector('#prediction').dataset.strokes === String(n), strokes,
                             { timeout: 5000 });
  return page.$eval('#prediction', (el) => ({
    digit: el.dataset.digit === undefined ? null : Number(el.dataset.digit),
    confidence: el.dataset.confidence === undefined ? null : Number(el.dataset.confidence),
  }));
}
async function padPng(page, file) {
  const url = await page.$eval('#pad', (c) => c.toDataURL('image/png'));
  fs.writeFileSync(file, Buffer.from(url.split(',')[1], 'base64'));
}
async function selectModel(page, id) {
  await page.click(`#model-${id}`);
  await page.waitForFunction((m) => document.querySelector(`#model-${m}`).checked, id);
}

const port = await freePort();
let server = await startServer(port);
const URL = `http://127.0.0.1:${port}/`;
console.log(`serving ${dist} at ${URL}; artifacts in ${artifacts}`);
const info = JSON.parse(fs.readFileSync(path.join(dist, 'build-info.json'), 'utf8'));

try {
  // 1. Size of the runtime (wasm + JS glue, without the model), both builds.
  for (const [variant, r] of Object.entries(info.runtime)) {
    check(`runtime ${variant} wasm + JS <= 150 KB`, r.total <= 150000,
          `${r.wasm} + ${r.js} = ${r.total} bytes (gzip ${r.gzip})`);
  }

  // 2. First prediction within 1 s of page load: a fresh browser profile (nothing cached), a digit
  // drawn at DOMContentLoaded by pointer events dispatched in the page (no round trips through the
  // test driver, so the drawing takes no time), and the time the app marks 'tl-first-prediction'.
  const sample = makeDrawings(1, 280, 7).find((d) => d.label === 7);
  const firstTimes = [], phases = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const b = await launch();
    await b.page.addInitScript((strokes) => {
      document.addEventListener('DOMContentLoaded', () => {
        const pad = document.querySelector('#pad');
        const r = pad.getBoundingClientRect(), k = r.width / 280;
        const ev = (type, [x, y]) => pad.dispatchEvent(new PointerEvent(type, {
          pointerId: 7, pointerType: 'mouse', isPrimary: true, button: 0, buttons: type === 'pointerup' ? 0 : 1,
          clientX: r.left + x * k, clientY: r.top + y * k, bubbles: true, cancelable: true }));
        for (const s of strokes) {
          ev('pointerdown', s[0]);
          for (const p of s.slice(1)) ev('pointermove', p);
          ev('pointerup', s[s.length - 1]);
        }
        performance.mark('test-drawn');
      });
    }, sample.strokes);
    await b.page.goto(URL, { waitUntil: 'domcontentloaded' });
    await b.page.waitForFunction(() => performance.getEntriesByName('tl-first-prediction').length > 0, null,
                                 { timeout: 10000 }).catch(() => null);
    const [t, drawn, rt, model] = await b.page.evaluate(() =>
      ['tl-first-prediction', 'test-drawn', 'tl-runtime-ready', 'tl-model-ready']
        .map((n) => performance.getEntriesByName(n)[0]?.startTime ?? null));
    const digit = await b.page.$eval('#prediction', (e) => e.dataset.digit);
    firstTimes.push(t === null || digit !== '7' ? Infinity : Math.round(t));
    phases.push(`drawn ${Math.round(drawn)}, runtime ${Math.round(rt)}, model ${Math.round(model)}, prediction ${Math.round(t)} (${digit})`);
    await b.close();
    if (t !== null && t <= 1000) break; // other work on the machine can slow a cold start: 3 tries
  }
  check('first prediction within 1 s of page load', Math.min(...firstTimes) <= 1000,
        `${firstTimes.join(', ')} ms after navigation start [${phases.join('; ')} ms]`);

  // 3. Drawn digits: accuracy, screenshots, and the same strokes through `tinylite classify`.
  const b = await launch();
  const { page } = b;
  await page.goto(URL);
  await waitReady(page);
  check('no prediction shown on an empty pad', await page.$eval('#prediction', (e) => !('digit' in e.dataset) && !('confidence' in e.dataset)));
  const drawings = makeDrawings(perClass);
  const results = [];
  const shots = path.join(artifacts, 'digits');
  fs.rmSync(shots, { recursive: true, force: true });
  fs.mkdirSync(shots, { recursive: true });
  for (const [i, d] of drawings.entries()) {
    const r = await drawWithMouse(page, d);
    const name = `${String(i).padStart(2, '0')}-label${d.label}-got${r.digit}`;
    await padPng(page, path.join(shots, `${name}.png`));
    if (i % 5 === 0 || r.digit !== d.label) await page.screenshot({ path: path.join(shots, `${name}-page.png`) });
    results.push({ ...d, got: r.digit, confidence: r.confidence, png: path.join(shots, `${name}.png`) });
  }
  const correct = results.filter((r) => r.got === r.label).length;
  const classes = new Set(results.map((r) => r.label));
  const wrong = results.filter((r) => r.got !== r.label).map((r) => `${r.label}->${r.got}`);
  check(`>= 30 drawn digits covering every class`, results.length >= 30 && classes.size === 10,
        `${results.length} digits, ${classes.size} classes, ${results.filter((r) => r.offCentre).length} off-centre, pens ${[...new Set(results.map((r) => r.pen))].sort((a, b) => a - b).join('/')} px, sizes ${Math.min(...results.map((r) => r.size))}-${Math.max(...results.map((r) => r.size))} px`);
  check('>= 90% of drawn digits classified correctly', correct / results.length >= 0.9,
        `${correct}/${results.length} = ${(100 * correct / results.length).toFixed(1)}%${wrong.length ? ' (wrong: ' + wrong.join(', ') + ')' : ''}`);
  fs.writeFileSync(path.join(artifacts, 'results.json'), JSON.stringify(results.map(({ strokes, ...r }) => r), null, 1));

  // The same drawings (PNG of the canvas) through the CLI, for each model the app offers.
  const modelsMeta = JSON.parse(fs.readFileSync(path.join(dist, 'models.json'), 'utf8'));
  if (!fs.existsSync(cli)) {
    check('tinylite classify agrees with the app', false, `${cli} not found (set TL_CLI)`);
  } else {
    for (const m of modelsMeta) {
      const subset = m.id === modelsMeta[0].id ? results : results.filter((_, i) => i % 4 === 0);
      let app = subset.map((r) => ({ digit: r.got, confidence: r.confidence }));
      if (m.id !== modelsMeta[0].id) {
        await selectModel(page, m.id);
        app = [];
        for (const r of subset) app.push(await drawWithMouse(page, r));
        await selectModel(page, modelsMeta[0].id);
      }
      const out = execFileSync(cli, ['classify', '--json', path.join(dist, m.file), ...subset.map((r) => r.png)],
                               { encoding: 'utf8' });
      const lines = out.trim().split('\n').map((l) => JSON.parse(l));
      let same = lines.length === subset.length, maxDiff = 0;
      const diffs = [];
      lines.forEach((c, i) => {
        const a = app[i];
        const d = Math.abs((c.confidence ?? 0) - (a.confidence ?? 0));
        maxDiff = Math.max(maxDiff, d);
        // The app shows 4 decimals; allow rounding plus float differences between wasm and native.
        if (c.digit !== a.digit || d > 2e-4) {
          same = false;
          diffs.push(`${path.basename(subset[i].png)}: app ${a.digit}/${a.confidence} cli ${c.digit}/${c.confidence}`);
        }
      });
      check(`tinylite classify agrees with the app (${m.id} model, ${subset.length} drawings)`, same,
            `max confidence difference ${maxDiff.toExponential(2)}${diffs.length ? '; ' + diffs.slice(0, 3).join('; ') : ''}`);
    }
  }

  // 4. Empty and nearly empty pads: no prediction, "draw a digit".
  await page.click('#clear');
  check('Clear removes the prediction', await page.$eval('#prediction', (e) => !('digit' in e.dataset)));
  const box = await page.locator('#pad').boundingBox();
  await setPen(page, 12);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const tap = await readPrediction(page, 1);
  check('a tap (a dot) is not a digit', tap.digit === null,
        `${tap.digit === null ? 'no prediction' : 'predicted ' + tap.digit}, text "${await page.textContent('#prediction-text')}"`);

  // 5. Model picker: every model loaded, with size and measured latency shown.
  const options = await page.$$eval('.model-option', (els) => els.map((e) => e.textContent.replace(/\s+/g, ' ').trim()));
  check('model picker shows size and latency of each model', options.length === modelsMeta.length &&
        options.every((t) => /\d+ KB · [\d.]+ ms per run/.test(t)), options.join(' | '));

  // 6. Keyboard: every control reachable with Tab; Escape on the pad clears it.
  await drawWithMouse(page, results[0]);
  await page.focus('body');
  const focused = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    focused.push(await page.evaluate(() => document.activeElement.id || document.activeElement.tagName));
  }
  const need = ['pad', 'clear', 'pen', `model-${modelsMeta[0].id}`];
  check('controls reachable with the keyboard', need.every((id) => focused.includes(id)), focused.join(' > '));
  await page.focus('#pad');
  await page.keyboard.press('Escape');
  check('Escape on the pad clears it', await page.$eval('#prediction', (e) => !('digit' in e.dataset)));

  // 7. Contrast of the page's text (WCAG AA: 4.5:1) and labels on every control.
  const contrast = await page.evaluate(() => {
    const lum = (c) => {
      const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const bgOf = (el) => {
      for (; el; el = el.parentElement) {
        const c = getComputedStyle(el).backgroundColor;
        const a = c.match(/[\d.]+/g);
        if (a && (a.length < 4 || Number(a[3]) > 0.5)) return c;
      }
      return 'rgb(255, 255, 255)';
    };
    const worst = [];
    for (const el of document.querySelectorAll('h1, h2, p, button, label, legend, .pct, .meta, .source, .text, figcaption, output, #bars .label')) {
      if (!el.textContent.trim() || el.offsetParent === null) continue;
      const l1 = lum(getComputedStyle(el).color), l2 = lum(bgOf(el));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      worst.push([ratio, el.id || el.className || el.tagName]);
    }
    worst.sort((a, b) => a[0] - b[0]);
    const unlabelled = [...document.querySelectorAll('button, input, canvas')].filter((el) =>
      !(el.getAttribute('aria-label') || el.labels?.length || el.textContent.trim())).map((el) => el.id);
    return { worst: worst.slice(0, 3), unlabelled };
  });
  check('text contrast >= 4.5:1', contrast.worst[0][0] >= 4.5,
        contrast.worst.map(([r, n]) => `${n} ${r.toFixed(1)}`).join(', '));
  check('every control has a label', contrast.unlabelled.length === 0, contrast.unlabelled.join(', '));

  // 8. Installable: manifest without errors, Chrome's installability check passes.
  const cdp = await page.context().newCDPSession(page);
  const manifest = await cdp.send('Page.getAppManifest');
  const inst = await cdp.send('Page.getInstallabilityErrors');
  check('web manifest parses without errors', manifest.errors.length === 0 && manifest.data?.length > 0,
        manifest.errors.map((e) => e.message).join('; '));
  check('installable as an app', inst.installabilityErrors.length === 0,
        inst.installabilityErrors.map((e) => e.errorId).join(', '));

  // 9. Baseline (non-SIMD) build: same prediction as the SIMD build for the same drawing.
  // The least confident drawing, so the comparison is not between two 1.0000s.
  const probe = results.reduce((a, r) => ((r.confidence ?? 1) < (a.confidence ?? 1) ? r : a));
  const simdR = await drawWithMouse(page, probe);
  const variant = await page.textContent('#runtime-info');
  await page.goto(`${URL}?runtime=base`);
  await waitReady(page);
  const baseR = await drawWithMouse(page, probe);
  check('baseline build gives the same prediction as the SIMD build',
        baseR.digit === simdR.digit && Math.abs(baseR.confidence - simdR.confidence) <= 1e-4,
        `simd ${simdR.digit}/${simdR.confidence}, base ${baseR.digit}/${baseR.confidence}; ${variant}`);

  // 10. Offline: after the first visit the service worker serves everything. Stop the server,
  // cut the network, reload, and draw.
  await page.goto(URL);
  await waitReady(page);
  await page.waitForFunction(() => navigator.serviceWorker?.controller !== null || document.documentElement.dataset.offlineReady === 'true',
                             null, { timeout: 20000 });
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await waitReady(page);
  const controlled = await page.evaluate(() => !!navigator.serviceWorker.controller);
  await stopServer(server);
  server = null;
  await page.context().setOffline(true);
  let offlineOk = false, offlineDetail = '';
  try {
    await page.reload();
    await waitReady(page);
    const r = await drawWithMouse(page, results[2]);
    offlineOk = r.digit === results[2].got;
    offlineDetail = `server stopped and network off: predicted ${r.digit} (online: ${results[2].got}), controlled by SW: ${controlled}`;
    await page.screenshot({ path: path.join(artifacts, 'offline.png') });
  } catch (err) {
    offlineDetail = err.message.split('\n')[0];
  }
  check('works offline after the first visit', offlineOk, offlineDetail);
  await page.context().setOffline(false);
  await b.close();

  // 11. A phone: touch input (pointer events of type touch) draws without scrolling the page.
  server = await startServer(port);
  const phone = await launch({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await phone.page.goto(URL);
  await waitReady(phone.page);
  const tcdp = await phone.page.context().newCDPSession(phone.page);
  const pbox = await phone.page.locator('#pad').boundingBox();
  const scrollBefore = await phone.page.evaluate(() => window.scrollY);
  const seven = results.find((r) => r.label === 7 && r.got === 7) || results[7];
  await phone.page.click('#clear');
  await setPen(phone.page, seven.pen);
  const pk = pbox.width / 280;
  for (const stroke of seven.strokes) {
    const pt = ([x, y]) => [{ x: pbox.x + x * pk, y: pbox.y + y * pk, id: 1 }];
    await tcdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: pt(stroke[0]) });
    for (const p of stroke.slice(1)) await tcdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: pt(p) });
    await tcdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }
  const touchR = await readPrediction(phone.page, seven.strokes.length);
  const scrollAfter = await phone.page.evaluate(() => window.scrollY);
  check('finger drawing (touch) works and does not scroll the page', touchR.digit === 7 && scrollAfter === scrollBefore,
        `predicted ${touchR.digit}, scrollY ${scrollBefore} -> ${scrollAfter}`);
  await phone.page.screenshot({ path: path.join(artifacts, 'phone.png'), fullPage: true });
  await phone.close();
} catch (err) {
  check('no unexpected error', false, err.stack || String(err));
} finally {
  if (server) await stopServer(server);
  clearTimeout(timer);
}
console.log(`screenshots and drawings: ${artifacts}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
