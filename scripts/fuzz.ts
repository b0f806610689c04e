/**
 * The long-running fuzzer (outside the default test run).
 *
 *   npx tsc -b && npx tsx scripts/fuzz.ts --inputs 1000000 [--seed N]
 *     [--target jpeg|heic|mov|bmff|jpeg-decode|ewf|all (comma list)] [--workers N]
 *     [--out FILE.json] [--hang-ms 5000] [--no-validate] [--no-media]
 *   npx tsx scripts/fuzz.ts --repro jpeg:12345 [--seed N]   (one input again, bytes written to tmp/)
 *   npx tsx scripts/fuzz.ts --table SUMMARY.json            (the tables of an earlier run)
 *
 * Every input is built from (seed, target, index) alone, so any finding
 * reproduces with --repro. Inputs are split over the targets by weight and
 * run in worker threads in chunks; a watchdog in the main thread flags a
 * call that runs longer than --hang-ms as a hang, ends that worker and goes
 * on. Counted per target and mutation kind: statuses, the oracle's verdicts
 * (packages/carvers/src/fuzz/oracle.ts), crashes (any exception, or a result
 * that breaks the Carver contract), hangs, the slowest call and the largest
 * heap growth of one call. Writes a JSON summary and prints a markdown table.
 * Exit status 1 when anything was found.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { TARGETS, TargetRunner, validatorHooks, type Target, type Trial } from '@rawcarve/carvers/fuzz';

interface Args {
  inputs: number;
  seed: string;
  targets: Target[];
  workers: number;
  out: string;
  hangMs: number;
  validate: boolean;
  media: boolean;
  repro: string | null;
  table: string | null;
}

const WEIGHTS: Record<Target, number> = { jpeg: 30, heic: 24, mov: 24, bmff: 10, 'jpeg-decode': 8, ewf: 4 };
const CHUNK: Record<Target, number> = { jpeg: 500, heic: 500, mov: 500, bmff: 500, 'jpeg-decode': 500, ewf: 100 };
/** Calls slower than this are listed (a hang is --hang-ms). */
const SLOW_MS = 2000;
const MS_BUCKETS = [1, 10, 100, 1000, 2000, 5000, Infinity];

function parseArgs(argv: string[]): Args {
  const a: Args = { inputs: 10_000, seed: '1', targets: [...TARGETS], workers: defaultWorkers(), out: 'tmp/fuzz-summary.json', hangMs: 5000, validate: true, media: true, repro: null, table: null };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const v = (): string => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--inputs') a.inputs = Number(v());
    else if (k === '--seed') a.seed = v();
    else if (k === '--target') {
      const t = v();
      a.targets = t === 'all' ? [...TARGETS] : (t.split(',') as Target[]);
      for (const x of a.targets) if (!TARGETS.includes(x)) throw new Error(`unknown target ${x}: ${TARGETS.join(', ')} or all`);
    } else if (k === '--workers') a.workers = Math.max(1, Number(v()));
    else if (k === '--out') a.out = v();
    else if (k === '--hang-ms') a.hangMs = Number(v());
    else if (k === '--no-validate') a.validate = false;
    else if (k === '--no-media') a.media = false;
    else if (k === '--repro') a.repro = v();
    else if (k === '--table') a.table = v();
    else if (k === '--help' || k === '-h') {
      console.log('usage: npx tsx scripts/fuzz.ts --inputs N [--seed S] [--target all|jpeg,heic,mov,bmff,jpeg-decode,ewf] [--workers N] [--out FILE] [--hang-ms MS] [--no-validate] [--no-media] | --repro TARGET:INDEX');
      process.exit(0);
    } else throw new Error(`unknown option ${k}`);
  }
  if (!Number.isSafeInteger(a.inputs) || a.inputs < 1) throw new Error('--inputs must be a positive integer');
  return a;
}

/** Both cores only when the machine is otherwise idle (it is shared). */
function defaultWorkers(): number {
  const idle = cpus().length - loadavg()[0]!;
  return Math.max(1, Math.min(cpus().length, Math.floor(idle + 0.25)));
}

// ---------------------------------------------------------------- statistics

interface KindStats {
  inputs: number;
  crashes: number;
  hangs: number;
  statuses: Record<string, number>;
  verdicts: Record<string, number>;
  maxMs: number;
}

interface TargetStats extends KindStats {
  /** Seconds spent on this target's inputs (mutation, carve, oracle, external decoders) and in the carve calls alone. */
  wallSeconds: number;
  carveSeconds: number;
  byKind: Record<string, KindStats>;
  /** verdict → label → count (where the mutation hit). */
  labels: Record<string, Record<string, number>>;
  msBuckets: number[];
  maxMsInput: string;
  slow: { index: number; ms: number; detail: string }[];
  maxHeapDeltaMB: number;
  maxHeapInput: string;
  findings: { index: number; what: string; kind: string; detail: string; why: string }[];
  notes: string[];
}

const newKind = (): KindStats => ({ inputs: 0, crashes: 0, hangs: 0, statuses: {}, verdicts: {}, maxMs: 0 });
const newTarget = (): TargetStats => ({ ...newKind(), wallSeconds: 0, carveSeconds: 0, byKind: {}, labels: {}, msBuckets: MS_BUCKETS.map(() => 0), maxMsInput: '', slow: [], maxHeapDeltaMB: 0, maxHeapInput: '', findings: [], notes: [] });
const bump = (r: Record<string, number>, k: string, n = 1): void => {
  r[k] = (r[k] ?? 0) + n;
};
const FINDINGS_KEPT = 200;

/** A finding: crash, hang, false complete or false read. */
function isFinding(t: Trial): string | null {
  if (t.crash) return 'crash';
  if (t.verdict === 'false-complete' || t.verdict === 'false-read' || t.verdict === 'unverified') return t.verdict;
  return null;
}

function record(s: TargetStats, index: number, t: Trial, heapMB: number): void {
  const k = (s.byKind[t.kind] ??= newKind());
  for (const x of [s, k]) {
    x.inputs++;
    bump(x.statuses, t.status);
    if (t.verdict) bump(x.verdicts, t.verdict);
    if (t.crash) x.crashes++;
    x.maxMs = Math.max(x.maxMs, t.ms);
  }
  if (t.verdict && t.label) bump((s.labels[t.verdict] ??= {}), t.label);
  s.msBuckets[MS_BUCKETS.findIndex((b) => t.ms < b)]!++;
  if (t.ms >= s.maxMs) s.maxMsInput = `#${index} ${t.detail}`;
  if (t.ms > SLOW_MS && s.slow.length < 50) s.slow.push({ index, ms: Math.round(t.ms), detail: t.detail });
  if (heapMB > s.maxHeapDeltaMB) {
    s.maxHeapDeltaMB = heapMB;
    s.maxHeapInput = `#${index} ${t.detail}`;
  }
  const what = isFinding(t);
  if (what && s.findings.length < FINDINGS_KEPT) s.findings.push({ index, what, kind: t.kind, detail: t.detail, why: t.crash ?? t.why ?? '' });
}

function merge(into: TargetStats, from: TargetStats): void {
  for (const [k, v] of Object.entries(from.byKind)) {
    const x = (into.byKind[k] ??= newKind());
    mergeKind(x, v);
  }
  mergeKind(into, from);
  into.wallSeconds += from.wallSeconds;
  into.carveSeconds += from.carveSeconds;
  for (const [v, labels] of Object.entries(from.labels)) for (const [l, n] of Object.entries(labels)) bump((into.labels[v] ??= {}), l, n);
  from.msBuckets.forEach((n, i) => (into.msBuckets[i]! += n));
  if (from.maxMs >= into.maxMs) into.maxMsInput = from.maxMsInput;
  into.slow.push(...from.slow.slice(0, Math.max(0, 50 - into.slow.length)));
  if (from.maxHeapDeltaMB > into.maxHeapDeltaMB) {
    into.maxHeapDeltaMB = from.maxHeapDeltaMB;
    into.maxHeapInput = from.maxHeapInput;
  }
  into.findings.push(...from.findings.slice(0, Math.max(0, FINDINGS_KEPT - into.findings.length)));
  for (const n of from.notes) if (!into.notes.includes(n)) into.notes.push(n);
}

function mergeKind(into: KindStats, from: KindStats): void {
  into.inputs += from.inputs;
  into.crashes += from.crashes;
  into.hangs += from.hangs;
  into.maxMs = Math.max(into.maxMs, from.maxMs);
  for (const [k, n] of Object.entries(from.statuses)) bump(into.statuses, k, n);
  for (const [k, n] of Object.entries(from.verdicts)) bump(into.verdicts, k, n);
}

// ---------------------------------------------------------------- worker

interface Chunk {
  target: Target;
  from: number;
  to: number;
}

type ToWorker = { type: 'chunk'; chunk: Chunk } | { type: 'stop' };
type FromWorker = { type: 'ready' } | { type: 'done'; chunk: Chunk; stats: TargetStats; rssMB: number };

function heapNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function workerMain(): void {
  const { seed, validate, media, slot, clock } = workerData as { seed: string; validate: boolean; media: boolean; slot: number; clock: SharedArrayBuffer };
  const now = new Float64Array(clock);
  // An external decoder's time (the oracle's second opinion) is not the carver's: the watchdog pauses meanwhile.
  validatorHooks.before = () => {
    now[slot * 2 + 1] = 0;
  };
  validatorHooks.after = () => {
    now[slot * 2 + 1] = Date.now();
  };
  const runners = new Map<Target, TargetRunner>();
  const runner = (t: Target): TargetRunner => {
    let r = runners.get(t);
    if (!r) {
      r = new TargetRunner(t, seed, { validate, seeds: { media } });
      r.seedCount(); // load the seeds now, not inside the first timed call
      runners.set(t, r);
    }
    return r;
  };
  parentPort!.on('message', (m: ToWorker) => {
    if (m.type === 'stop') {
      for (const r of runners.values()) r.close();
      process.exit(0);
    }
    const { chunk } = m;
    const r = runner(chunk.target);
    const stats = newTarget();
    for (let i = chunk.from; i < chunk.to; i++) {
      now[slot * 2] = i;
      now[slot * 2 + 1] = Date.now();
      const before = heapNow();
      const w0 = performance.now();
      const t = r.run(i);
      stats.wallSeconds += (performance.now() - w0) / 1000;
      stats.carveSeconds += t.ms / 1000;
      const grew = (heapNow() - before) / (1 << 20);
      record(stats, i, t, grew);
    }
    now[slot * 2 + 1] = 0;
    stats.notes.push(...r.notes);
    const msg: FromWorker = { type: 'done', chunk, stats, rssMB: process.memoryUsage().rss / (1 << 20) };
    parentPort!.postMessage(msg);
  });
  parentPort!.postMessage({ type: 'ready' } satisfies FromWorker);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.repro) return repro(args);
  if (args.table) return printTable(args.table);
  const started = new Date();
  const weight = args.targets.reduce((n, t) => n + WEIGHTS[t], 0);
  const perTarget = new Map<Target, number>();
  let assigned = 0;
  args.targets.forEach((t, i) => {
    const n = i === args.targets.length - 1 ? args.inputs - assigned : Math.round((args.inputs * WEIGHTS[t]) / weight);
    perTarget.set(t, n);
    assigned += n;
  });
  // Seeds are generated (and cached) here, once, before workers race for them.
  const totals = new Map<Target, TargetStats>();
  for (const t of args.targets) {
    const r = new TargetRunner(t, args.seed, { seeds: { media: args.media } });
    const n = r.seedCount();
    const s = newTarget();
    s.notes.push(`${n} seeds`, ...r.notes);
    totals.set(t, s);
    r.close();
    console.error(`[fuzz] ${t}: ${perTarget.get(t)} inputs over ${n} seeds${r.notes.length ? ` (${r.notes.length} notes)` : ''}`);
  }
  // Chunks interleaved over targets, so a partial run covers all of them.
  const queues = args.targets.map((t) => {
    const q: Chunk[] = [];
    for (let from = 0; from < perTarget.get(t)!; from += CHUNK[t]) q.push({ target: t, from, to: Math.min(perTarget.get(t)!, from + CHUNK[t]) });
    return q;
  });
  const queue: Chunk[] = [];
  for (let i = 0; queues.some((q) => q.length > 0); i++) {
    const q = queues[i % queues.length]!;
    const c = q.shift();
    if (c) queue.push(c);
  }
  const clock = new SharedArrayBuffer(8 * 2 * args.workers);
  const now = new Float64Array(clock);
  let done = 0;
  let maxRssMB = 0;
  const hangs: { target: Target; index: number; ms: number }[] = [];
  const t0 = Date.now();

  let watchdog: NodeJS.Timeout | undefined;
  let progress: NodeJS.Timeout | undefined;
  await new Promise<void>((resolveAll) => {
    const workers: (Worker | null)[] = [];
    const busy: (Chunk | null)[] = [];
    const respawn: boolean[] = [];
    let live = 0;
    const feed = (slot: number): void => {
      const c = queue.shift();
      const w = workers[slot]!;
      busy[slot] = c ?? null;
      w.postMessage(c ? ({ type: 'chunk', chunk: c } satisfies ToWorker) : ({ type: 'stop' } satisfies ToWorker));
    };
    const requeueAround = (c: Chunk, index: number): void => {
      if (index > c.from) queue.unshift({ target: c.target, from: c.from, to: index });
      if (index + 1 < c.to) queue.unshift({ target: c.target, from: index + 1, to: c.to });
    };
    /** The input a worker was on when it hung or died counts as a finding; the rest of its chunk is run again. */
    const lost = (slot: number, what: 'hang' | 'worker died', why: string): void => {
      const c = busy[slot];
      if (!c) return;
      const index = now[slot * 2]!;
      const s = totals.get(c.target)!;
      s.inputs++;
      if (what === 'hang') {
        s.hangs++;
        hangs.push({ target: c.target, index, ms: Date.now() - now[slot * 2 + 1]! });
      } else s.crashes++;
      s.findings.push({ index, what, kind: '?', detail: `--repro ${c.target}:${index}`, why });
      done++;
      requeueAround(c, index);
      busy[slot] = null;
      now[slot * 2 + 1] = 0;
      respawn[slot] = true;
    };
    const spawn = (slot: number): void => {
      // Loader hooks are per thread: the worker registers tsx itself, then loads this file.
      const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); }).catch((e) => { console.error(e); process.exit(3); })`;
      const w = new Worker(boot, {
        eval: true,
        workerData: { seed: args.seed, validate: args.validate, media: args.media, slot, clock },
        resourceLimits: { maxOldGenerationSizeMb: 4096 },
      });
      workers[slot] = w;
      respawn[slot] = false;
      live++;
      w.on('message', (m: FromWorker) => {
        if (m.type === 'ready') return feed(slot);
        merge(totals.get(m.chunk.target)!, m.stats);
        maxRssMB = Math.max(maxRssMB, m.rssMB);
        done += m.chunk.to - m.chunk.from;
        feed(slot);
      });
      w.on('error', (e) => lost(slot, 'worker died', String(e)));
      w.on('exit', () => {
        live--;
        workers[slot] = null;
        if (busy[slot]) lost(slot, 'worker died', 'exited during a chunk');
        if (respawn[slot] && (queue.length > 0 || busy.some(Boolean))) spawn(slot);
        else if (live === 0) resolveAll();
      });
    };
    watchdog = setInterval(() => {
      for (let slot = 0; slot < workers.length; slot++) {
        const since = now[slot * 2 + 1]!;
        if (!busy[slot] || since === 0 || Date.now() - since < args.hangMs) continue;
        lost(slot, 'hang', `still running after ${Date.now() - since} ms`);
        void workers[slot]?.terminate();
      }
    }, 250);
    progress = setInterval(() => {
      const sec = (Date.now() - t0) / 1000;
      writeSummary(true);
      const found = [...totals.values()].reduce((n, s) => n + s.crashes + s.hangs + (s.verdicts['false-complete'] ?? 0) + (s.verdicts['false-read'] ?? 0), 0);
      console.error(`[fuzz] ${done}/${args.inputs} inputs, ${(done / sec).toFixed(0)}/s, ${sec.toFixed(0)} s, findings ${found}, load ${loadavg()[0]!.toFixed(2)}`);
    }, 15_000);
    for (let slot = 0; slot < args.workers; slot++) spawn(slot);
  });
  clearInterval(watchdog);
  clearInterval(progress);

  writeSummary(false);
  const t = lastSummary!.totals;
  console.log(markdown(lastSummary!.targets as Record<string, TargetStats>, t));
  console.log(`\nsummary: ${resolve(args.out)}`);
  process.exitCode = t.crashes + t.hangs + t.falseCompletes + t.falseReads + t.unverified > 0 ? 1 : 0;

  function writeSummary(partial: boolean): void {
    const finished = new Date();
    const summary = {
      partial,
      inputsDone: done,
      command: `npx tsx scripts/fuzz.ts --inputs ${args.inputs} --seed ${args.seed} --target ${args.targets.join(',')} --workers ${args.workers}${args.validate ? '' : ' --no-validate'}${args.media ? '' : ' --no-media'}`,
      seed: args.seed,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      elapsedSeconds: Math.round((finished.getTime() - started.getTime()) / 1000),
      workers: args.workers,
      hangMs: args.hangMs,
      maxWorkerRssMB: Math.round(maxRssMB),
      node: process.version,
      totals: {
        inputs: [...totals.values()].reduce((n, s) => n + s.inputs, 0),
        crashes: [...totals.values()].reduce((n, s) => n + s.crashes, 0),
        hangs: hangs.length,
        falseCompletes: [...totals.values()].reduce((n, s) => n + (s.verdicts['false-complete'] ?? 0), 0),
        falseReads: [...totals.values()].reduce((n, s) => n + (s.verdicts['false-read'] ?? 0), 0),
        unverified: [...totals.values()].reduce((n, s) => n + (s.verdicts['unverified'] ?? 0), 0),
      },
      msBuckets: MS_BUCKETS.map((b) => (b === Infinity ? '>=5000' : `<${b}`)),
      targets: Object.fromEntries(totals),
    };
    const out = resolve(args.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out + '.tmp', JSON.stringify(summary, null, 1) + '\n');
    renameSync(out + '.tmp', out);
    lastSummary = summary;
  }
}

let lastSummary: { totals: { inputs: number; crashes: number; hangs: number; falseCompletes: number; falseReads: number; unverified: number }; targets: unknown } | null = null;

function markdown(targets: Record<string, TargetStats>, totals: { inputs: number; crashes: number; hangs: number; falseCompletes: number; falseReads: number; unverified: number }): string {
  const v = (s: TargetStats, k: string): number => s.verdicts[k] ?? 0;
  const lines = [
    '| target | inputs | kinds | crashes | hangs | max ms/call | max heap growth/call | complete: identical | unmutated prefix / prefix at boundary | unchecked bytes only | decodes validly (undetectable) | only unparsed streams fail (audio, unknown codec) | false complete |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [name, s] of Object.entries(targets)) {
    const fc = name === 'ewf' ? `${v(s, 'false-read')} false reads` : String(v(s, 'false-complete') + v(s, 'unverified'));
    lines.push(`| ${name} | ${s.inputs} | ${Object.keys(s.byKind).length} | ${s.crashes} | ${s.hangs} | ${s.maxMs.toFixed(0)} | ${s.maxHeapDeltaMB.toFixed(0)} MB | ${v(s, 'identical')} | ${v(s, 'unmutated-prefix')} / ${v(s, 'prefix-at-boundary')} | ${v(s, 'unchecked')} | ${v(s, 'decodes-validly')} | ${v(s, 'undetectable-audio')} | ${fc} |`);
  }
  lines.push(`| **all** | **${totals.inputs}** | | **${totals.crashes}** | **${totals.hangs}** | | | | | | | | **${totals.falseCompletes + totals.unverified}** (+${totals.falseReads} false reads) |`);
  return lines.join('\n');
}

/** The tables of a summary written earlier (for docs/ROBUSTNESS.md). */
function printTable(file: string): void {
  const s = JSON.parse(readFileSync(file, 'utf8')) as { totals: Parameters<typeof markdown>[1]; targets: Record<string, TargetStats> };
  console.log(markdown(s.targets, s.totals));
  console.log('\n| target | mutation kinds (inputs) |\n| --- | --- |');
  for (const [name, t] of Object.entries(s.targets)) {
    const kinds = Object.entries(t.byKind).sort((a, b) => b[1].inputs - a[1].inputs).map(([k, v]) => `${k} ${v.inputs}`);
    console.log(`| ${name} | ${kinds.join(', ')} |`);
  }
  console.log('\n| target | verdict | where the mutation hit (label: count) |\n| --- | --- | --- |');
  for (const [name, t] of Object.entries(s.targets)) {
    for (const [verdict, labels] of Object.entries(t.labels)) {
      if (verdict === 'not-complete' || verdict === 'no-signature') continue;
      const top = Object.entries(labels).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([l, n]) => `${l} ${n}`);
      console.log(`| ${name} | ${verdict} | ${top.join(', ')} |`);
    }
  }
  console.log('\n| target | ms per call: <1, <10, <100, <1000, <2000, <5000, ≥5000 | seconds in carve / in all (oracle, decoders) |\n| --- | --- | --- |');
  for (const [name, t] of Object.entries(s.targets)) console.log(`| ${name} | ${t.msBuckets.join(', ')} | ${t.carveSeconds.toFixed(0)} / ${t.wallSeconds.toFixed(0)} |`);
}

async function repro(args: Args): Promise<void> {
  const [target, index] = args.repro!.split(':') as [Target, string];
  const r = new TargetRunner(target, args.seed, { validate: args.validate, seeds: { media: args.media } });
  const i = Number(index);
  if (target !== 'ewf') {
    const input = r.input(i);
    mkdirSync('tmp', { recursive: true });
    const file = `tmp/fuzz-repro-${target}-${i}.bin`;
    writeFileSync(file, input.bytes);
    console.log(`input: ${input.detail}\nbytes: ${file} (${input.bytes.length})`);
  }
  console.log(r.run(i));
  r.close();
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(2);
  });
} else {
  workerMain();
}
