import { OverlapResolver, type Kept } from '../resolve/overlaps.js';
import type { Candidate } from '../scan/carve-page.js';
import type { FilteredRecord, ReportIssue } from '../report/types.js';
import type { PageRecord } from './checkpoint.js';
import { RunTotals } from './totals.js';

/**
 * What the scan has decided so far, built only from page results folded in
 * image order. Because it depends on nothing else (not on worker timing, not
 * on when files were written), replaying a run's page journal rebuilds it
 * exactly: that is how a resumed run continues and how shards are merged.
 */
export class RunState {
  readonly totals = new RunTotals();
  readonly issues: ReportIssue[] = [];
  /** Files a filter kept from being written (in the order writes finished). */
  readonly filtered: FilteredRecord[] = [];
  /** Every candidate released, in release order: the reassembly pass claims their clusters. */
  readonly kept: Candidate[] = [];
  /** Incomplete files waiting for the reassembly pass. */
  readonly held: Kept[] = [];
  pagesFolded = 0;
  private readonly resolver = new OverlapResolver();
  private ended = false;

  constructor(
    /** Hold incomplete files for reassembly instead of releasing them for writing. */
    private readonly holdIncomplete: boolean,
    private readonly pageSize: number,
  ) {}

  /** Folds one page's result (pages strictly in image order); returns the files now ready to write. */
  fold(p: PageRecord): Kept[] {
    this.totals.addPage(p);
    this.issues.push(...p.issues);
    for (const c of p.candidates) this.resolver.add(c);
    this.pagesFolded++;
    const end = p.pageStart + p.pageLength;
    // Files are released only at the whole image's page ends, so a run cut into
    // shards releases them in the same order as one run (reassembly sees that order).
    return end % this.pageSize === 0 ? this.release(end) : [];
  }

  /** Every page is folded: releases the rest and adds the resolver's counts to the totals. */
  end(): Kept[] {
    if (this.ended) return [];
    this.ended = true;
    const out = this.release(Infinity);
    this.totals.suppressed += this.resolver.stats.suppressed;
    this.totals.trimmed = this.resolver.stats.trimmed;
    return out;
  }

  private release(edge: number): Kept[] {
    const ready: Kept[] = [];
    for (const k of this.resolver.ready(edge)) {
      this.kept.push(k.candidate);
      // Incomplete files wait for the reassembly pass, which needs every file's claims.
      if (this.holdIncomplete && k.candidate.status !== 'complete') this.held.push(k);
      else ready.push(k);
    }
    return ready;
  }
}

/** Issues by image offset, then message: the same order however writes interleaved with the scan. */
export function sortedIssues(issues: readonly ReportIssue[]): ReportIssue[] {
  return [...issues].sort((a, b) => a.offset - b.offset || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
}
