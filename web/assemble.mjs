// SPDX-License-Identifier: Apache-2.0
// Assembles the web app's static site (called by web/build.sh): page files, both WebAssembly builds,
// the chosen models with models.json, generated PNG icons, the service worker's precache list and a
// size report (build-info.json). Node built-ins only.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const webDir = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let out = null;
const wasmDirs = [];
const models = [];
for (let i = 0; i < args.length; i += 2) {
  const [k, v] = [args[i], args[i + 1]];
  if (k === '--out') out = v;
  else if (k === '--wasm') wasmDirs.push(v);
  else if (k === '--model') {
    const [kind, ...rest] = v.split('=');
    const file = rest.join('=');
    if (file && file !== 'none') models.push({ kind, file });
  } else {
    console.error(`assemble.mjs: unknown argument ${k}`);
    process.exit(2);
  }
}
if (!out) {
  console.error('usage: node web/assemble.mjs --out DIR --wasm DIR... --model kind=FILE...');
  process.exit(2);
}

const LABELS = { float: 'Float32', dynamic: 'Dynamic-range int8', int8: 'Full int8' };
const PAGE_FILES = ['index.html', 'app.js', 'tinylite.js', 'style.css', 'manifest.webmanifest'];
const RUNTIME_LIMIT = 150 * 1000; // bytes of wasm + JS glue per variant (issue 6)

const tmp = `${out}.tmp-${process.pid}`;
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(path.join(tmp, 'models'), { recursive: true });
fs.mkdirSync(path.join(tmp, 'icons'), { recursive: true });

for (const f of PAGE_FILES) fs.copyFileSync(path.join(webDir, f), path.join(tmp, f));

// The two runtime builds.
const runtime = {};
for (const dir of wasmDirs) {
  for (const f of fs.readdirSync(dir)) {
    const m = /^tinylite-(\w+)\.(js|wasm)$/.exec(f);
    if (!m) continue;
    fs.copyFileSync(path.join(dir, f), path.join(tmp, f));
    const r = (runtime[m[1]] ??= { js: 0, wasm: 0, gzip: 0 });
    const bytes = fs.readFileSync(path.join(dir, f));
    r[m[2]] = bytes.length;
    r.gzip += zlib.gzipSync(bytes, { level: 9 }).length;
  }
}
for (const [name, r] of Object.entries(runtime)) r.total = r.js + r.wasm;
if (!runtime.simd || !runtime.base) {
  console.error('assemble.mjs: both tinylite-simd and tinylite-base builds are needed');
  process.exit(1);
}

// Models: copied under a stable name, described in models.json (the picker's list, in this order).
const modelList = [];
for (const { kind, file } of models) {
  if (!fs.existsSync(file)) {
    console.error(`assemble.mjs: model ${kind}: ${file} not found`);
    process.exit(1);
  }
  const bytes = fs.readFileSync(file);
  const name = `models/${kind}.tflite`;
  fs.writeFileSync(path.join(tmp, name), bytes);
  modelList.push({ id: kind, label: LABELS[kind] ?? kind, file: name, bytes: bytes.length, source: path.basename(file),
                   sha256: createHash('sha256').update(bytes).digest('hex').slice(0, 16) });
}
fs.writeFileSync(path.join(tmp, 'models.json'), JSON.stringify(modelList, null, 1) + '\n');

// Icons: a white hand-drawn "7" on the app's dark blue, anti-aliased, as PNGs (any and maskable).
for (const [size, maskable] of [[192, false], [512, false], [512, true]]) {
  const name = `icons/icon-${size}${maskable ? '-maskable' : ''}.png`;
  fs.writeFileSync(path.join(tmp, name), iconPng(size, maskable));
}
fs.writeFileSync(path.join(tmp, 'icons/apple-touch-icon.png'), iconPng(180, true));

const info = { runtime, runtimeLimit: RUNTIME_LIMIT, models: modelList, built: new Date().toISOString() };
fs.writeFileSync(path.join(tmp, 'build-info.json'), JSON.stringify(info, null, 1) + '\n');

// Service worker: precache every file; its cache name changes whenever any file does.
const files = listFiles(tmp).filter((f) => f !== 'sw.js');
const hash = createHash('sha256');
for (const f of files) hash.update(f).update(fs.readFileSync(path.join(tmp, f)));
const version = hash.digest('hex').slice(0, 12);
const precache = ['./', ...files];
const sw = fs.readFileSync(path.join(webDir, 'sw.js'), 'utf8')
  .replace("'__VERSION__'", JSON.stringify(version))
  .replace("['__PRECACHE__']", JSON.stringify(precache));
fs.writeFileSync(path.join(tmp, 'sw.js'), sw);

fs.rmSync(out, { recursive: true, force: true });
fs.renameSync(tmp, out);

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`web app built in ${out} (version ${version})`);
for (const [name, r] of Object.entries(runtime)) {
  const ok = r.total <= RUNTIME_LIMIT ? 'ok' : 'OVER THE 150 KB LIMIT';
  console.log(`  runtime ${name}: wasm ${r.wasm} + js ${r.js} = ${r.total} bytes (${kb(r.total)}; gzip ${kb(r.gzip)}) ${ok}`);
}
for (const m of modelList) console.log(`  model ${m.id}: ${m.source} (${kb(m.bytes)})`);

function listFiles(dir, prefix = '') {
  const res = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix + e.name;
    if (e.isDirectory()) res.push(...listFiles(path.join(dir, e.name), rel + '/'));
    else res.push(rel);
  }
  return res;
}

// ---- PNG icon rendering (no dependencies): RGBA raster -> zlib -> PNG chunks with CRC-32 ----------
function iconPng(size, maskable) {
  const px = Buffer.alloc(size * size * 4);
  const bg = [0x1d, 0x3a, 0x6e], fg = [255, 255, 255];
  const radius = maskable ? 0 : size * 0.18; // maskable icons are full-bleed; the OS shapes them
  const s = size / 100; // design units: a 100 x 100 box
  // The "7": two strokes kept within the maskable safe zone (the central 80%).
  const segs = [[30, 30, 70, 30], [70, 30, 44, 74]];
  const r = 7 * s;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = x + 0.5, cy = y + 0.5;
      // Background coverage: rounded square.
      const dx = Math.max(radius - cx, cx - (size - radius), 0), dy = Math.max(radius - cy, cy - (size - radius), 0);
      const bgCov = radius > 0 ? clamp(radius + 0.5 - Math.hypot(dx, dy)) : 1;
      let ink = 0;
      for (const [x0, y0, x1, y1] of segs) ink = Math.max(ink, clamp(r + 0.5 - segDist(cx, cy, x0 * s, y0 * s, x1 * s, y1 * s)));
      const o = (y * size + x) * 4;
      for (let c = 0; c < 3; c++) px[o + c] = Math.round(bg[c] + (fg[c] - bg[c]) * ink);
      px[o + 3] = Math.round(255 * bgCov);
    }
  }
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) px.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
                        chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}
function clamp(v) { return v < 0 ? 0 : v > 1 ? 1 : v; }
function segDist(px, py, x0, y0, x1, y1) {
  const dx = x1 - x0, dy = y1 - y0;
  const t = clamp(((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy));
  return Math.hypot(x0 + t * dx - px, y0 + t * dy - py);
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
