/**
 * Worker for worker-handoff.bench.ts: answers at once, so a round trip
 * measures the hand-off alone. One default export (under tsx, piscina finds a
 * .ts worker's handler only through require(), which needs a default export).
 */
import { move } from 'piscina';

export type HandoffMessage = { kind: 'small'; page: number; offset: number } | { kind: 'buffer'; bytes: Uint8Array; transfer: boolean };

/** A small message gets as small an answer; a buffer is sent back moved (transferred) or copied (structured clone). */
export default function handoff(msg: HandoffMessage): { page: number; hits: number } | Uint8Array | ReturnType<typeof move> {
  if (msg.kind === 'small') return { page: msg.page, hits: msg.offset & 7 };
  msg.bytes[0] = (msg.bytes[0]! + 1) & 0xff;
  return msg.transfer ? move(msg.bytes) : msg.bytes;
}
