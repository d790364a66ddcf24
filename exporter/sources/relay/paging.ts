import { FilterMatcher, type FilterSpec, toWireFilter, type WireFilter } from './filter.js';

/**
 * Backfill of a set of filters over [since, now], paged with `until` because relays cap what one REQ
 * returns (often below the `limit` asked, and without saying so). Page 0 is what the live REQ returns
 * before EOSE; each further page asks, per filter, for events up to the oldest one seen so far.
 *
 * `until` is inclusive (NIP-01), so each page re-reads the boundary second: copies collapse in dedup,
 * and events that share the boundary second with a page cut are not skipped. A filter is complete when a
 * page brings nothing older than its `until`. If a full page holds nothing but the boundary second (more
 * events in one second than the relay returns per page), that second is stepped over and reported.
 */
export class Backfill {
  private readonly filters: FilterPaging[];
  private page: Map<number, PageStats> | null = null;
  /** Seconds stepped over because one second held more events than a page. */
  skippedSeconds = 0;
  pages = 0;

  constructor(
    specs: readonly FilterSpec[],
    readonly since: number,
    readonly limit: number,
  ) {
    this.filters = specs.map((spec) => ({
      matcher: new FilterMatcher(spec),
      until: null,
      lastCount: 0,
      done: false,
    }));
  }

  get specs(): FilterSpec[] {
    return this.filters.map((f) => f.matcher.spec);
  }

  /** Filters that still need a page, in order. */
  pending(): number[] {
    const out: number[] = [];
    this.filters.forEach((f, i) => {
      if (!f.done && !this.page?.has(i)) out.push(i);
    });
    return out;
  }

  get complete(): boolean {
    return this.page === null && this.filters.every((f) => f.done);
  }

  get paging(): boolean {
    return this.page !== null;
  }

  /** Wire filter for the next page of filter `index`. */
  request(index: number): WireFilter {
    const f = this.filterAt(index);
    const window =
      f.until === null
        ? { since: this.since, limit: this.limit }
        : { since: this.since, until: f.until, limit: this.limit };
    return toWireFilter(f.matcher.spec, window);
  }

  /** Opens a page over the given filters (all of them for page 0, which the live REQ serves). */
  startPage(indices: readonly number[]): void {
    this.page = new Map(indices.map((i) => [i, { count: 0, older: 0, oldest: Number.POSITIVE_INFINITY }]));
    this.pages += 1;
  }

  /** Attributes one event of the open page to the filters it matches. */
  observe(event: unknown, createdAt: number): void {
    if (!this.page) return;
    for (const [i, stats] of this.page) {
      const f = this.filterAt(i);
      if (createdAt < this.since || !f.matcher.matches(event)) continue;
      if (f.until !== null && createdAt > f.until) continue;
      stats.count += 1;
      if (f.until === null || createdAt < f.until) stats.older += 1;
      if (createdAt < stats.oldest) stats.oldest = createdAt;
    }
  }

  /** Closes the open page (on EOSE) and decides, per filter, whether another page is needed. */
  endPage(): void {
    if (!this.page) return;
    for (const [i, stats] of this.page) {
      const f = this.filterAt(i);
      if (stats.count === 0) {
        f.done = true;
      } else if (stats.older > 0) {
        f.until = stats.oldest;
      } else if (f.until !== null && stats.count > 1 && stats.count >= f.lastCount && f.until > this.since) {
        // The boundary second alone filled a page as large as the one before: the relay cut inside that
        // second, and the rest of it cannot be paged by `until`. Step over it.
        f.until -= 1;
        this.skippedSeconds += 1;
      } else {
        f.done = true;
      }
      f.lastCount = stats.count;
    }
    this.page = null;
  }

  /** Gives up on the open page (the connection dropped or the relay closed the REQ). */
  abandonPage(): void {
    this.page = null;
    this.pages -= 1;
  }

  private filterAt(index: number): FilterPaging {
    const f = this.filters[index];
    if (!f) throw new RangeError(`no filter ${index}`);
    return f;
  }
}

interface FilterPaging {
  readonly matcher: FilterMatcher;
  /** null until page 0 ended; then the inclusive upper bound of the next page. */
  until: number | null;
  /** Events the filter's previous page returned. */
  lastCount: number;
  done: boolean;
}

interface PageStats {
  count: number;
  /** Events strictly older than the page's `until`: progress. */
  older: number;
  oldest: number;
}
