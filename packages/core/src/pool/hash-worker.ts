/**
 * One image hash (MD5, SHA-1 or SHA-256) in a thread of its own. The main
 * thread posts the image's bytes in image order (shared buffers: nothing is
 * copied); each buffer is acknowledged once hashed, so the sender can bound
 * how far ahead it runs.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import type { FromHashThread, ToHashThread } from './image-hash.js';

const { algorithm } = workerData as { algorithm: string };
const hash = createHash(algorithm);
const port = parentPort!;

port.on('message', (m: ToHashThread) => {
  let reply: FromHashThread;
  if (m.type === 'data') {
    hash.update(m.bytes);
    reply = { type: 'ack' };
  } else if (m.type === 'mark') {
    // The digest of everything so far, without ending the hash: checkpoints record it.
    reply = { type: 'mark', id: m.id, hex: hash.copy().digest('hex') };
  } else {
    reply = { type: 'digest', hex: hash.digest('hex') };
  }
  port.postMessage(reply);
});
