// SPDX-License-Identifier: Apache-2.0
// Hand-designed stroke paths of the ten digits (two or more styles each), and a deterministic set of
// drawings made from them: different sizes, positions (some off-centre), slants and pen widths.

// Points of an elliptical arc, angles in degrees (0 = right, 90 = down: screen coordinates).
function arc(cx, cy, rx, ry, a0, a1, n = 28) {
  const pts = [];
  for (let i = 0; i <= n; i++) {
    const a = ((a0 + ((a1 - a0) * i) / n) * Math.PI) / 180;
    pts.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return pts;
}

// Each template: strokes in a unit box (x right, y down), and the box's width/height ratio.
export const TEMPLATES = {
  0: [{ aspect: 0.7, strokes: [arc(0.5, 0.5, 0.45, 0.48, -95, 268)] },
      { aspect: 0.8, strokes: [arc(0.5, 0.5, 0.42, 0.48, -80, 290)] }],
  1: [{ aspect: 0.3, strokes: [[[0.6, 0.02], [0.4, 0.98]]] },
      { aspect: 0.45, strokes: [[[0.1, 0.22], [0.7, 0.02], [0.6, 0.98]]] }],
  2: [{ aspect: 0.75, strokes: [[...arc(0.5, 0.3, 0.42, 0.28, 195, 380), [0.08, 0.97], [0.95, 0.97]]] },
      { aspect: 0.7, strokes: [[...arc(0.48, 0.28, 0.4, 0.26, 200, 390), [0.1, 0.95], [0.5, 0.9], [0.95, 0.96]]] }],
  3: [{ aspect: 0.65, strokes: [[...arc(0.5, 0.27, 0.42, 0.25, 205, 450), ...arc(0.5, 0.73, 0.45, 0.25, -90, 155)]] },
      { aspect: 0.7, strokes: [[[0.1, 0.05], [0.9, 0.05], [0.45, 0.42], ...arc(0.5, 0.7, 0.45, 0.28, -75, 160)]] }],
  4: [{ aspect: 0.75, strokes: [[[0.62, 0.02], [0.05, 0.68], [0.98, 0.68]], [[0.7, 0.3], [0.7, 0.98]]] },
      { aspect: 0.7, strokes: [[[0.12, 0.02], [0.08, 0.55], [0.95, 0.55]], [[0.72, 0.02], [0.72, 0.98]]] }],
  5: [{ aspect: 0.7, strokes: [[[0.2, 0.03], [0.16, 0.46], ...arc(0.48, 0.69, 0.46, 0.29, -125, 150)], [[0.2, 0.03], [0.9, 0.03]]] },
      { aspect: 0.65, strokes: [[[0.9, 0.03], [0.22, 0.03], [0.18, 0.44], ...arc(0.5, 0.7, 0.45, 0.28, -120, 160)]] }],
  6: [{ aspect: 0.7, strokes: [[[0.8, 0.02], [0.45, 0.2], [0.2, 0.45], ...arc(0.52, 0.72, 0.4, 0.26, 180, -178)]] },
      { aspect: 0.65, strokes: [[[0.7, 0.02], [0.3, 0.3], [0.1, 0.7], ...arc(0.5, 0.74, 0.4, 0.24, 160, -190)]] }],
  7: [{ aspect: 0.7, strokes: [[[0.05, 0.04], [0.95, 0.04], [0.4, 0.98]]] },
      { aspect: 0.7, strokes: [[[0.05, 0.15], [0.1, 0.03], [0.95, 0.04], [0.55, 0.55], [0.35, 0.98]]] }],
  8: [{ aspect: 0.65, strokes: [arc(0.5, 0.26, 0.36, 0.24, 0, 360), arc(0.5, 0.73, 0.44, 0.26, 0, 360)] },
      { aspect: 0.6, strokes: [[...arc(0.5, 0.25, 0.4, 0.23, -20, -270), ...arc(0.5, 0.73, 0.45, 0.25, -90, 270), ...arc(0.5, 0.25, 0.4, 0.23, 90, -20)]] }],
  9: [{ aspect: 0.65, strokes: [[...arc(0.45, 0.28, 0.42, 0.26, 0, -360), [0.87, 0.28], [0.8, 0.98]]] },
      { aspect: 0.65, strokes: [[...arc(0.48, 0.27, 0.4, 0.25, 10, -350), [0.86, 0.5], [0.6, 0.98]]] }],
};

// A small deterministic PRNG (mulberry32), so every run draws the same digits.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Densifies a polyline so consecutive points are at most `step` apart (pointer moves are samples).
function densify(pts, step) {
  const out = [pts[0]];
  for (let i = 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1], [x1, y1] = pts[i];
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / step));
    for (let k = 1; k <= n; k++) out.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
  }
  return out;
}

// `perClass` drawings of every digit on a side x side canvas. Each drawing: { label, style, strokes
// (arrays of [x, y] canvas points), pen (width in canvas pixels), size, offCentre }.
export function makeDrawings(perClass = 4, side = 280, seed = 2024) {
  const rand = rng(seed);
  const pens = [10, 14, 18, 22, 28, 34];
  const list = [];
  for (let v = 0; v < perClass; v++) {
    for (let d = 0; d < 10; d++) {
      const styles = TEMPLATES[d];
      const t = styles[v % styles.length];
      const h = side * (0.38 + 0.45 * rand()); // digit height: 38% .. 83% of the pad
      const w = h * t.aspect;
      const slant = (rand() - 0.5) * 0.35; // shear: x shifts with height
      const pen = Math.min(pens[Math.floor(rand() * pens.length)], Math.max(8, h * 0.16));
      const margin = pen / 2 + 4 + Math.abs(slant) * h * 0.5;
      // Every third drawing is pushed towards a corner; the others are near the centre.
      const offCentre = (v + d) % 3 === 0;
      const fx = offCentre ? (rand() < 0.5 ? 0.05 : 0.95) : 0.5 + (rand() - 0.5) * 0.3;
      const fy = offCentre ? (rand() < 0.5 ? 0.05 : 0.95) : 0.5 + (rand() - 0.5) * 0.3;
      const x0 = margin + (side - 2 * margin - w) * fx, y0 = margin + (side - 2 * margin - h) * fy;
      // A hand's wobble: slow waves of ~2.5% of the height across the drawing, plus a little jitter.
      const wob = [0, 1, 2, 3].map(() => [2 + 4 * rand(), 2 * Math.PI * rand()]);
      const amp = 0.025 * h;
      const strokes = t.strokes.map((s) => densify(s.map(([x, y]) => [
        x0 + x * w + (0.5 - y) * slant * h + amp * Math.sin(wob[0][0] * y + wob[0][1]) * Math.cos(wob[1][0] * x + wob[1][1]) + (rand() - 0.5) * 1.5,
        y0 + y * h + amp * Math.sin(wob[2][0] * x + wob[2][1]) * Math.cos(wob[3][0] * y + wob[3][1]) + (rand() - 0.5) * 1.5,
      ]), 5));
      list.push({ label: d, style: v % styles.length, strokes, pen: Math.round(pen), size: Math.round(h), offCentre });
    }
  }
  return list;
}
