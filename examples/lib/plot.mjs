// A small plotting helper for the examples: an RGB canvas with anti-aliased lines and
// points, filled rectangles, 5×7 bitmap text, and panels that map data coordinates to
// pixels (axes, polylines, scatter points, filled decision regions). Saves PNG files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng } from './png.mjs';
import { glyph, GLYPH_H, GLYPH_W } from './font.mjs';

/** A qualitative palette (Tableau 10). */
export const COLORS = {
  blue: [31, 119, 180], orange: [255, 127, 14], green: [44, 160, 44], red: [214, 39, 40], purple: [148, 103, 189],
  brown: [140, 86, 75], pink: [227, 119, 194], gray: [127, 127, 127], olive: [188, 189, 34], cyan: [23, 190, 207],
  black: [0, 0, 0], white: [255, 255, 255], light: [225, 225, 225], dark: [70, 70, 70],
};

/** Mixes `c` towards white by `t` in [0, 1] (for pale region fills). */
export function tint(c, t) {
  return c.map((v) => Math.round(v + (255 - v) * t));
}

/** The folder examples write to (`examples/out/`), created if needed. */
export function outDir() {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'out');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export class Canvas {
  constructor(width, height, background = COLORS.white) {
    this.width = width;
    this.height = height;
    this.rgb = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  /** Blends colour `c` over pixel (x, y) with coverage `a` in [0, 1]. */
  blend(x, y, c, a = 1) {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || !(a > 0)) return;
    const i = (y * this.width + x) * 3;
    const t = Math.min(1, a);
    for (let k = 0; k < 3; k++) this.rgb[i + k] = Math.round(this.rgb[i + k] * (1 - t) + c[k] * t);
  }

  fillRect(x, y, w, h, c) {
    const x0 = Math.max(0, Math.floor(x)), y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.ceil(x + w)), y1 = Math.min(this.height, Math.ceil(y + h));
    for (let j = y0; j < y1; j++) for (let i = x0; i < x1; i++) this.blend(i, j, c, 1);
  }

  /** An anti-aliased segment of the given width (coverage from the distance to the segment). */
  line(x0, y0, x1, y1, c, width = 1.5) {
    const r = width / 2;
    const dx = x1 - x0, dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    const minX = Math.floor(Math.min(x0, x1) - r - 1), maxX = Math.ceil(Math.max(x0, x1) + r + 1);
    const minY = Math.floor(Math.min(y0, y1) - r - 1), maxY = Math.ceil(Math.max(y0, y1) + r + 1);
    for (let py = Math.max(0, minY); py <= Math.min(this.height - 1, maxY); py++) {
      for (let px = Math.max(0, minX); px <= Math.min(this.width - 1, maxX); px++) {
        const cx = px + 0.5, cy = py + 0.5;
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((cx - x0) * dx + (cy - y0) * dy) / len2));
        const d = Math.hypot(cx - (x0 + t * dx), cy - (y0 + t * dy));
        const cover = Math.max(0, Math.min(1, r + 0.5 - d));
        // Keep the darkest coverage where consecutive segments of a polyline overlap.
        if (cover > 0) this.blendMax(px, py, c, cover);
      }
    }
  }

  /** Like `blend`, but only where it increases the ink (avoids double-blending joints). */
  blendMax(x, y, c, a) {
    if (!this._ink) this._ink = new Map();
    const key = y * this.width + x;
    const prev = this._ink.get(key);
    if (prev && prev.c === c && prev.a >= a) return;
    const extra = prev && prev.c === c ? (a - prev.a) / (1 - prev.a || 1) : a;
    this._ink.set(key, { c, a });
    this.blend(x, y, c, extra);
  }

  /** Ends a stroke: later strokes blend over it normally. */
  endStroke() {
    this._ink = null;
  }

  /** A filled anti-aliased disc, with an optional outline colour. */
  disc(cx, cy, radius, c, outline = null) {
    for (let py = Math.floor(cy - radius - 1); py <= Math.ceil(cy + radius + 1); py++) {
      for (let px = Math.floor(cx - radius - 1); px <= Math.ceil(cx + radius + 1); px++) {
        const d = Math.hypot(px + 0.5 - cx, py + 0.5 - cy);
        const cover = Math.max(0, Math.min(1, radius + 0.5 - d));
        if (outline && d > radius - 1.5) this.blend(px, py, outline, cover);
        else this.blend(px, py, c, cover);
      }
    }
  }

  /** Text at (x, y) (top-left), each font pixel `scale`×`scale`. Returns the width drawn. */
  text(x, y, str, c = COLORS.black, scale = 1) {
    let cx = Math.round(x);
    for (const ch of String(str)) {
      const rows = glyph(ch);
      for (let j = 0; j < GLYPH_H; j++) {
        for (let i = 0; i < GLYPH_W; i++) if (rows[j][i] === '#') this.fillRect(cx + i * scale, Math.round(y) + j * scale, scale, scale, c);
      }
      cx += (GLYPH_W + 1) * scale;
    }
    return cx - x;
  }

  /** The width of `str` in pixels at `scale`. */
  static textWidth(str, scale = 1) {
    return String(str).length * (GLYPH_W + 1) * scale - scale;
  }

  /** Writes the canvas as a PNG and returns the path. */
  save(path) {
    writeFileSync(path, encodePng(this.width, this.height, this.rgb));
    return path;
  }
}

/** A short label for a tick value. */
function fmt(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return a >= 1 ? v.toFixed(1) : v.toFixed(2);
}

/** A plotting area inside a canvas, with data ranges `x: [x0, x1]`, `y: [y0, y1]`. */
export class Panel {
  constructor(canvas, { left, top, width, height, x, y, title = '' }) {
    Object.assign(this, { canvas, left, top, width, height, title });
    this.x = x;
    this.y = y;
  }

  /** Pixel column of data x. */
  px(x) {
    return this.left + ((x - this.x[0]) / (this.x[1] - this.x[0])) * this.width;
  }

  /** Pixel row of data y (y grows upwards). */
  py(y) {
    return this.top + (1 - (y - this.y[0]) / (this.y[1] - this.y[0])) * this.height;
  }

  /** Frame, zero lines, end ticks and the title. */
  axes({ zero = true } = {}) {
    const c = this.canvas;
    if (zero) {
      if (this.x[0] < 0 && this.x[1] > 0) c.line(this.px(0), this.top, this.px(0), this.top + this.height, COLORS.light, 1);
      if (this.y[0] < 0 && this.y[1] > 0) c.line(this.left, this.py(0), this.left + this.width, this.py(0), COLORS.light, 1);
      c.endStroke();
    }
    const [l, t, r, b] = [this.left, this.top, this.left + this.width, this.top + this.height];
    for (const [a, bb, cc, d] of [[l, t, r, t], [r, t, r, b], [r, b, l, b], [l, b, l, t]]) c.line(a, bb, cc, d, COLORS.dark, 1);
    c.endStroke();
    c.text(l, b + 4, fmt(this.x[0]), COLORS.dark);
    c.text(r - Canvas.textWidth(fmt(this.x[1])), b + 4, fmt(this.x[1]), COLORS.dark);
    c.text(l - Canvas.textWidth(fmt(this.y[0])) - 4, b - GLYPH_H, fmt(this.y[0]), COLORS.dark);
    c.text(l - Canvas.textWidth(fmt(this.y[1])) - 4, t, fmt(this.y[1]), COLORS.dark);
    if (this.title) c.text(l + (this.width - Canvas.textWidth(this.title, 2)) / 2, t - 20, this.title, COLORS.black, 2);
  }

  /** A polyline through (xs[i], ys[i]), clipped to the panel; NaN values break the line. */
  polyline(xs, ys, color, width = 2) {
    const c = this.canvas;
    const clipY = (v) => Math.max(this.top - 1, Math.min(this.top + this.height + 1, v));
    for (let i = 1; i < xs.length; i++) {
      if (!Number.isFinite(ys[i - 1]) || !Number.isFinite(ys[i])) continue;
      c.line(this.px(xs[i - 1]), clipY(this.py(ys[i - 1])), this.px(xs[i]), clipY(this.py(ys[i])), color, width);
    }
    c.endStroke();
  }

  /** Scatter points as discs. */
  points(xs, ys, color, radius = 3, outline = null) {
    for (let i = 0; i < xs.length; i++) {
      const px = this.px(xs[i]), py = this.py(ys[i]);
      if (px >= this.left && px <= this.left + this.width && py >= this.top && py <= this.top + this.height) this.canvas.disc(px, py, radius, color, outline);
    }
  }

  /**
   * Data coordinates of the centres of an `nx` × `ny` grid over the panel, row-major from
   * the top row: `[x0, y0, x1, y1, …]` (to run a model on, then pass to `fillGrid`).
   */
  gridPoints(nx, ny) {
    const out = new Float32Array(nx * ny * 2);
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const k = (j * nx + i) * 2;
        out[k] = this.x[0] + ((i + 0.5) / nx) * (this.x[1] - this.x[0]);
        out[k + 1] = this.y[1] - ((j + 0.5) / ny) * (this.y[1] - this.y[0]);
      }
    }
    return out;
  }

  /** Fills the panel with `colorOf(values[k])` for each cell of a grid from `gridPoints`. */
  fillGrid(values, nx, ny, colorOf) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const x0 = this.left + (i * this.width) / nx, y0 = this.top + (j * this.height) / ny;
        this.canvas.fillRect(x0, y0, this.width / nx + 1, this.height / ny + 1, colorOf(values[j * nx + i]));
      }
    }
    this.canvas.fillRect(this.left, this.top + this.height + 1, this.width + 2, 2, COLORS.white);
    this.canvas.fillRect(this.left + this.width + 1, this.top, 2, this.height + 2, COLORS.white);
  }

  /** A legend box at the panel's top-left: entries `[label, color]`. */
  legend(entries, { corner = 'top-left' } = {}) {
    const c = this.canvas;
    const w = Math.max(...entries.map(([l]) => Canvas.textWidth(l))) + 30;
    const h = entries.length * 12 + 6;
    const x = corner.endsWith('left') ? this.left + 6 : this.left + this.width - w - 6;
    const y = corner.startsWith('top') ? this.top + 6 : this.top + this.height - h - 6;
    c.fillRect(x, y, w, h, COLORS.white);
    entries.forEach(([label, color], i) => {
      const ly = y + 6 + i * 12;
      c.line(x + 4, ly + 3, x + 20, ly + 3, color, 3);
      c.endStroke();
      c.text(x + 25, ly, label, COLORS.black);
    });
  }
}

/**
 * A canvas with a `rows` × `cols` grid of panels of `cell` pixels each (room for titles and
 * tick labels around each). Returns `{ canvas, panel(r, c, ranges) }`.
 */
export function panelGrid(rows, cols, { cellWidth = 300, cellHeight = 220, header = 0, title = '' } = {}) {
  const padL = 44, padR = 16, padT = 34, padB = 22;
  const canvas = new Canvas(cols * (cellWidth + padL + padR), header + rows * (cellHeight + padT + padB));
  if (title) canvas.text((canvas.width - Canvas.textWidth(title, 2)) / 2, 10, title, COLORS.black, 2);
  return {
    canvas,
    panel(r, c, ranges) {
      return new Panel(canvas, { left: c * (cellWidth + padL + padR) + padL, top: header + r * (cellHeight + padT + padB) + padT, width: cellWidth, height: cellHeight, ...ranges });
    },
  };
}

export { join };
