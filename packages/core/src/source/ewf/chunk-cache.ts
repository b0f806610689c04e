/**
 * A small LRU of decoded chunks. Reads come in pages and carver probes near
 * each other, so a handful of chunks serves most of them; a Map keeps
 * insertion order, so the first key is the least recently used.
 */
export class ChunkCache {
  private readonly chunks = new Map<number, Uint8Array>();

  constructor(private readonly capacity: number) {}

  get(index: number): Uint8Array | undefined {
    const c = this.chunks.get(index);
    if (c !== undefined) {
      this.chunks.delete(index);
      this.chunks.set(index, c);
    }
    return c;
  }

  set(index: number, data: Uint8Array): void {
    this.chunks.delete(index);
    this.chunks.set(index, data);
    if (this.chunks.size > this.capacity) this.chunks.delete(this.chunks.keys().next().value!);
  }

  clear(): void {
    this.chunks.clear();
  }
}
