/**
 * Runs one command timed, with its peak RSS and CPU time from GNU time
 * (`/usr/bin/time -v`; node cannot see a child's peak RSS), in its own process
 * group so a timeout or ^C kills the whole tree.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';

export const GNU_TIME = '/usr/bin/time';

export interface Command {
  cmd: string;
  args: string[];
  cwd: string;
}

export interface Measured {
  wallSeconds: number;
  /** Peak resident set size from GNU time, MiB; null when /usr/bin/time is missing. */
  peakRssMiB: number | null;
  /** User + system CPU seconds from GNU time; null when /usr/bin/time is missing. */
  cpuSeconds: number | null;
  exitCode: number | null;
  timedOut: boolean;
}

export interface TimeVerbose {
  peakRssMiB: number | null;
  cpuSeconds: number | null;
}

export function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1"`, 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

/** Same page-cache state for every run: the image is read once before any tool. */
export function warmCache(image: string): void {
  spawnSync('cat', [image], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Parses the report of `time -v` ("Maximum resident set size (kbytes): N" etc.). */
export function parseTimeVerbose(text: string): TimeVerbose {
  const field = (label: string): number | null => {
    const line = text.split('\n').find((l) => l.trim().startsWith(label));
    const value = Number(line?.slice(line.lastIndexOf(':') + 1).trim());
    return line !== undefined && Number.isFinite(value) ? value : null;
  };
  const kib = field('Maximum resident set size (kbytes)');
  const user = field('User time (seconds)');
  const sys = field('System time (seconds)');
  return {
    peakRssMiB: kib === null ? null : +(kib / 1024).toFixed(1),
    cpuSeconds: user === null || sys === null ? null : +(user + sys).toFixed(2),
  };
}

/** Runs `command` with stdout and stderr to `logPath`; GNU time's report goes to `<logPath>.time`. */
export async function runMeasured(command: Command, logPath: string, timeoutSeconds: number): Promise<Measured> {
  const timeFile = `${logPath}.time`;
  rmSync(timeFile, { force: true });
  const timed = existsSync(GNU_TIME);
  const [cmd, args] = timed ? [GNU_TIME, ['-v', '-o', timeFile, command.cmd, ...command.args]] : [command.cmd, command.args];
  const log = openSync(logPath, 'w');
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd: command.cwd, stdio: ['ignore', log, log], detached: true });
  let timedOut = false;
  const killGroup = (): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutSeconds * 1000);
  // A detached group would outlive ^C of the harness.
  const onInt = (): void => {
    killGroup();
    process.exit(130);
  };
  process.once('SIGINT', onInt);
  try {
    const exitCode = await new Promise<number | null>((res, rej) => {
      child.once('error', rej);
      child.once('exit', (code) => res(code));
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    const usage = timed && existsSync(timeFile) ? parseTimeVerbose(readFileSync(timeFile, 'utf8')) : { peakRssMiB: null, cpuSeconds: null };
    return { wallSeconds, ...usage, exitCode, timedOut };
  } finally {
    clearTimeout(timer);
    process.removeListener('SIGINT', onInt);
    closeSync(log);
  }
}

/** The last lines of a log, for an error message. */
export function logTail(path: string, lines = 15): string {
  if (!existsSync(path)) return '';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}
