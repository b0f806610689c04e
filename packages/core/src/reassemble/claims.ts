/**
 * Which bytes of the image already belong to a file. Continuations of a
 * fragmented file are searched only among bytes nobody has claimed.
 */
export interface Claim {
  start: number;
  end: number;
  /** Image offset of the owning file's first byte. */
  owner: number;
  /** A complete file's bytes (firm), or the estimate of a first fragment's (soft: it may run past its break). */
  firm: boolean;
}

/** Claimed byte ranges of the image, by owning file. */
export class ClaimMap {
  /** Sorted by start, non-overlapping after add() (later claims never overlap: callers add free ranges). */
  private claims: Claim[] = [];
  private sorted = true;

  /** Claims [start, end) for the file starting at `owner`; `firm` for a complete file's bytes. */
  add(start: number, end: number, owner: number, firm = true): void {
    if (end <= start) return;
    this.claims.push({ start, end, owner, firm });
    this.sorted = false;
  }

  /** Drops every claim of `owner` (its head estimate, before its real runs are claimed). */
  removeOwner(owner: number): void {
    this.claims = this.claims.filter((c) => c.owner !== owner);
  }

  /** The claim holding `offset`, if any. */
  at(offset: number): Claim | undefined {
    this.sort();
    let lo = 0;
    let hi = this.claims.length - 1;
    let found: Claim | undefined;
    // Last claim starting at or before offset; claims may nest (a head inside nothing else), so check a few back.
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.claims[mid]!.start <= offset) {
        found = this.claims[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found && offset < found.end) return found;
    for (let i = lo - 2; i >= 0 && i >= lo - 8; i--) {
      const c = this.claims[i]!;
      if (c.start <= offset && offset < c.end) return c;
    }
    return undefined;
  }

  /** True when [start, end) touches a claim of someone other than `owner`. */
  takenByOther(start: number, end: number, owner: number): boolean {
    const c = this.at(start);
    if (c && c.owner !== owner) return true;
    // Any claim starting inside the range.
    let lo = 0;
    let hi = this.claims.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.claims[mid]!.start <= start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.claims.length && this.claims[i]!.start < end; i++) if (this.claims[i]!.owner !== owner) return true;
    return false;
  }

  private sort(): void {
    if (this.sorted) return;
    this.claims.sort((a, b) => a.start - b.start);
    this.sorted = true;
  }
}
