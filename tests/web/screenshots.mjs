// SPDX-License-Identifier: Apache-2.0
// Screenshots of the app for the README: a phone-sized and a desktop-sized viewport, each with a digit
// drawn (touch on the phone, mouse on the desktop), saved as small PNGs in docs/.
// usage: node tests/web/screenshots.mjs [DIST_DIR] (default build-web/dist; run scripts/serve.sh or
// web/build.sh first). Needs node_modules (scripts/setup.sh) and /usr/bin/chromium.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDrawings } from './digits.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.resolve(process.argv[2] || path.join(root, 'build-web/dist'));
const docs = path.join(root, 'docs');
const { chromium } = await import(path.join(root, 'node_modules/playwright-core/index.mjs'));
if (!fs.existsSync(path.join(dist, 'index.html'))) {
  console.error(`no built app in ${dist}: run web/build.sh first`);
  process.exit(1);
}

const port = await new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const server = spawn(process.execPath, [path.join(root, 'node_modules/http-server/bin/http-server'), dist,
  '-a', '127.0.0.1', '-p', String(port), '-c-1', '--silent'], { stdio: 'ignore' });
const url = `http://127.0.0.1:${port}/`;
for (let i = 0; i < 100; i++) {
  try { if ((await fetch(url)).ok) break; } catch { /* starting */ }
  await new Promise((r) => setTimeout(r, 100));
}

const drawings = makeDrawings(4);
const pick = (label, minSize) => drawings.find((d) => d.label === label && !d.offCentre && d.size >= minSize) ||
  drawings.find((d) => d.label === label);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function shoot(name, options, drawing, touch) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => /^Ready/.test(document.querySelector('#status').textContent));
  await page.$eval('#pen', (el, w) => { el.value = String(w); el.dispatchEvent(new Event('input')); }, drawing.pen);
  const box = await page.locator('#pad').boundingBox();
  const k = box.width / 280;
  const cdp = touch ? await context.newCDPSession(page) : null;
  for (const stroke of drawing.strokes) {
    const pts = stroke.map(([x, y]) => ({ x: box.x + x * k, y: box.y + y * k }));
    if (touch) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [pts[0]] });
      for (const p of pts.slice(1)) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [p] });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    } else {
      await page.mouse.move(pts[0].x, pts[0].y);
      await page.mouse.down();
      for (const p of pts.slice(1)) await page.mouse.move(p.x, p.y);
      await page.mouse.up();
    }
  }
  await page.waitForSelector('#prediction[data-digit]');
  await page.waitForTimeout(300);
  const file = path.join(docs, name);
  await page.screenshot({ path: file });
  const got = await page.$eval('#prediction', (e) => `${e.dataset.digit} (${e.dataset.confidence})`);
  console.log(`${file}: drew a ${drawing.label}, app says ${got}, ${fs.statSync(file).size} bytes`);
  await context.close();
}

fs.mkdirSync(docs, { recursive: true });
try {
  await shoot('app-desktop.png', { viewport: { width: 1100, height: 820 } }, pick(7, 180), false);
  await shoot('app-phone.png', { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }, pick(3, 180), true);
} finally {
  await browser.close();
  server.kill();
}
