/**
 * The file piscina loads in each thumbnail worker, CommonJS on purpose (as
 * packages/core/src/pool/worker-entry.cts, whose comment says why). piscina
 * loads a worker with require() and falls back to import(); on Node 20 a
 * require() of an ES module graph can meet an import() of the same modules
 * still being linked in that thread, which Node answers with a fatal error
 * ("IsGraphAsync must be used on an instantiated module") that kills the
 * whole process. Through this entry the ES module worker (worker.js) is only
 * ever loaded by import(), once, so the two never meet.
 */
import url = require('node:url');
import path = require('node:path');

type Handler = (task: unknown) => Promise<unknown>;

let handler: Promise<Handler> | null = null;

export = function runTask(task: unknown): Promise<unknown> {
  handler ??= import(url.pathToFileURL(path.join(__dirname, 'worker.js')).href).then((m: { default: Handler }) => m.default);
  return handler.then((run) => run(task));
};
