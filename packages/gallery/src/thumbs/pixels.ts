/** RGBA pictures in memory, scaled and turned for thumbnails. */

export interface Rgba {
  width: number;
  height: number;
  /** width × height × 4 bytes, row by row. */
  data: Uint8Array | Uint8ClampedArray;
}

/** The size that fits within `max`×`max`, keeping the aspect ratio, never enlarged. */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const k = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/**
 * Scales down by averaging the source pixels under each target pixel (a box
 * filter: no aliasing from skipping rows, cost one pass over the source).
 */
export function downscale(src: Rgba, max: number): Rgba {
  const { width, height } = fitWithin(src.width, src.height, max);
  if (width === src.width && height === src.height) return src;
  const out = new Uint8Array(width * height * 4);
  const sums = new Float64Array(width * 4);
  const counts = new Float64Array(width);
  const xOf = new Int32Array(src.width);
  for (let x = 0; x < src.width; x++) xOf[x] = Math.min(width - 1, Math.floor((x * width) / src.width));
  let row = 0;
  for (let y = 0; y < src.height; y++) {
    const ty = Math.min(height - 1, Math.floor((y * height) / src.height));
    if (ty !== row) {
      flush(row);
      row = ty;
    }
    let p = y * src.width * 4;
    for (let x = 0; x < src.width; x++, p += 4) {
      const t = xOf[x]!;
      sums[t * 4] += src.data[p]!;
      sums[t * 4 + 1] += src.data[p + 1]!;
      sums[t * 4 + 2] += src.data[p + 2]!;
      sums[t * 4 + 3] += src.data[p + 3]!;
      counts[t]! += 1;
    }
  }
  flush(row);
  return { width, height, data: out };

  function flush(ty: number): void {
    for (let t = 0; t < width; t++) {
      const n = counts[t]! || 1;
      for (let c = 0; c < 4; c++) out[(ty * width + t) * 4 + c] = Math.round(sums[t * 4 + c]! / n);
    }
    sums.fill(0);
    counts.fill(0);
  }
}

/**
 * Applies an EXIF orientation (1–8: how the stored picture must be turned to
 * be seen upright), as browsers do for the full picture.
 */
export function orient(src: Rgba, orientation: number): Rgba {
  if (!Number.isInteger(orientation) || orientation < 2 || orientation > 8) return src;
  const swap = orientation >= 5;
  const w = swap ? src.height : src.width;
  const h = swap ? src.width : src.height;
  const out = new Uint8Array(w * h * 4);
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      let dx: number;
      let dy: number;
      switch (orientation) {
        case 2: dx = src.width - 1 - x; dy = y; break;
        case 3: dx = src.width - 1 - x; dy = src.height - 1 - y; break;
        case 4: dx = x; dy = src.height - 1 - y; break;
        case 5: dx = y; dy = x; break;
        case 6: dx = src.height - 1 - y; dy = x; break;
        case 7: dx = src.height - 1 - y; dy = src.width - 1 - x; break;
        default: dx = y; dy = src.width - 1 - x; break; // 8
      }
      const s = (y * src.width + x) * 4;
      const d = (dy * w + dx) * 4;
      out[d] = src.data[s]!;
      out[d + 1] = src.data[s + 1]!;
      out[d + 2] = src.data[s + 2]!;
      out[d + 3] = src.data[s + 3]!;
    }
  }
  return { width: w, height: h, data: out };
}
