import type { Carver, CarveContext } from '../carver.js';
import { loadCarvers } from '../registry.js';
import { SignatureIndex } from '../scan/signature-index.js';
import { openImageSource } from '../source/open.js';
import { withFaults } from '../source/fault-source.js';
import type { ImageSource } from '../source/image-source.js';
import { SourceReader } from '../reader/source-reader.js';
import type { WorkerConfig } from './tasks.js';

/** Everything a worker keeps between tasks of one run. */
export interface WorkerState {
  readonly runId: string;
  readonly source: ImageSource;
  readonly reader: SourceReader;
  readonly carvers: Carver[];
  readonly contexts: CarveContext[];
  readonly index: SignatureIndex;
  /** The page buffer, reused for every page this worker scans. */
  page: Uint8Array;
}

let state: Promise<WorkerState> | null = null;
let stateRun = '';

/** The worker's state for this run: opened and loaded once, on its first task. */
export function workerState(config: WorkerConfig): Promise<WorkerState> {
  if (state === null || stateRun !== config.runId) {
    if (state !== null) void state.then((s) => s.source.close(), () => undefined);
    stateRun = config.runId;
    state = initState(config);
  }
  return state;
}

async function initState(config: WorkerConfig): Promise<WorkerState> {
  const all = await loadCarvers(config.carverModules);
  const carvers = config.carverNames.map((name) => {
    const c = all.find((x) => x.name === name);
    if (!c) throw new Error(`worker: carver ${name} not found in ${config.carverModules.join(', ')}`);
    return c;
  });
  const source = withFaults(openImageSource(config.imagePath), config.faults);
  return {
    runId: config.runId,
    source,
    reader: new SourceReader(source),
    carvers,
    contexts: carvers.map((_, i) => ({ maxFileSize: config.maxFileSizes[i]!, align: config.align })),
    index: new SignatureIndex(carvers),
    page: new Uint8Array(0),
  };
}
