/** The parsed frame and scan headers the entropy decoder needs (T.81 B.2.2, B.2.3). */
export interface FrameComponent {
  readonly id: number;
  readonly h: number;
  readonly v: number;
  readonly tq: number;
  /** Blocks per line and lines of blocks in this component's non-interleaved grid. */
  readonly blocksW: number;
  readonly blocksH: number;
}

export interface Frame {
  /** SOF marker code (0xC0 baseline, 0xC1 extended, 0xC2 progressive, ...). */
  readonly marker: number;
  readonly progressive: boolean;
  readonly precision: number;
  readonly width: number;
  readonly height: number;
  readonly components: readonly FrameComponent[];
  readonly hmax: number;
  readonly vmax: number;
  /** MCUs per line and MCU rows of an interleaved scan. */
  readonly mcusX: number;
  readonly mcusY: number;
}

export interface ScanComponent {
  /** Index into frame.components. */
  readonly index: number;
  readonly td: number;
  readonly ta: number;
}

export interface ScanHeader {
  readonly components: readonly ScanComponent[];
  readonly ss: number;
  readonly se: number;
  readonly ah: number;
  readonly al: number;
}

/** Builds the frame geometry from SOF fields; null when they describe no image. */
export function makeFrame(
  marker: number,
  precision: number,
  height: number,
  width: number,
  comps: { id: number; h: number; v: number; tq: number }[],
): Frame | null {
  if (width === 0 || height === 0 || comps.length === 0) return null;
  let hmax = 1;
  let vmax = 1;
  for (const c of comps) {
    hmax = Math.max(hmax, c.h);
    vmax = Math.max(vmax, c.v);
  }
  const components = comps.map((c) => ({
    ...c,
    blocksW: Math.ceil(Math.ceil((width * c.h) / hmax) / 8),
    blocksH: Math.ceil(Math.ceil((height * c.v) / vmax) / 8),
  }));
  return {
    marker,
    progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce,
    precision,
    width,
    height,
    components,
    hmax,
    vmax,
    mcusX: Math.ceil(width / (8 * hmax)),
    mcusY: Math.ceil(height / (8 * vmax)),
  };
}

/** MCUs in a scan: the interleaved grid, or one block per MCU for a single component. */
export function scanMcuCount(frame: Frame, scan: ScanHeader): number {
  if (scan.components.length === 1) {
    const c = frame.components[scan.components[0]!.index]!;
    return c.blocksW * c.blocksH;
  }
  return frame.mcusX * frame.mcusY;
}
