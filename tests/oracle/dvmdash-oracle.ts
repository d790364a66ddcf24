import { createHash } from 'node:crypto';
import { initNostrWasm, type Nostr } from 'nostr-wasm';

/**
 * A deliberately simple, unbounded, brute-force count of DVMDash v0.1's statistics and the project's
 * job figures, straight from raw JSON Lines. It shares no code with exporter/: it parses the lines
 * itself, hashes ids itself and checks signatures with libsecp256k1 (nostr-wasm; signature checks
 * have their own tests against nostr-tools in tests/model), applies the documented validity and junk
 * policies from its own copy of them (docs/metrics.md, docs/clickhouse.md, exporter/model/exclusions.ts
 * as documented), and answers every question by scanning every event. Slow on purpose; clear first.
 *
 * Order: where the project's answer depends on which of two events happened first (a feedback's kind
 * is known only when its request came before it), "first" is (created_at, id), as replay reads events.
 */

/** Kinds inside the job ranges that are not jobs (exclusions.ts, documented in docs/metrics.md). */
export const ORACLE_EXCLUDED_KINDS = [5128, 5129, 5651, 5666, 6666, 5969, 6969];
/** Known job request kinds (the kind catalogue; the test checks this copy against the exporter's). */
export const ORACLE_KNOWN_KINDS = [
  5000, 5001, 5002, 5050, 5100, 5101, 5102, 5107, 5200, 5201, 5202, 5205, 5250, 5251, 5300, 5301, 5302, 5303,
  5304, 5312, 5313, 5314, 5315, 5400, 5500, 5600, 5900, 5901, 5905, 5910, 5950, 5951, 5970, 5999,
];
/** Tags that make an unknown kind look like a job: requests, and results. */
const REQUEST_JOB_TAGS = ['i', 'param', 'output', 'bid', 'relays', 'p', 'encrypted'];
const RESULT_JOB_TAGS = ['e', 'p', 'request', 'i', 'amount', 'encrypted'];
/** created_at more than this far ahead of the wall clock is refused. */
const MAX_FUTURE_SECONDS = 600;
/** Addressed DVMs must answer within this (metrics.answerTimeoutSeconds default). */
const ANSWER_TIMEOUT_SECONDS = 600;
/** Only this many `p` targets of a request are tracked. */
const MAX_TARGETS = 16;

interface Raw {
  readonly id: string;
  readonly pubkey: string;
  readonly created_at: number;
  readonly kind: number;
  readonly tags: string[][];
  readonly content: string;
  readonly sig: string;
}

export interface Req {
  readonly id: string;
  readonly author: string;
  readonly kind: number;
  readonly at: number;
  readonly targets: readonly string[];
}

export interface Resp {
  readonly id: string;
  readonly dvm: string;
  readonly role: 'result' | 'feedback';
  readonly at: number;
  /** The `e` tag (one marked `job` first), lower case; null when none holds an id. */
  readonly job: string | null;
  /** The first `p` tag holding a pubkey. */
  readonly p: string | null;
  /** Result: its kind - 1000. */
  readonly requestKind: number | null;
  /** Feedback: the status tag, lower case, `_` as `-`. */
  readonly status: string | null;
  /** msat from a decoded bolt11 (second value of `amount`), else the first value; null when neither. */
  readonly msat: number | null;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;
const hexOf = (value: unknown): string | null =>
  typeof value === 'string' && HEX64.test(value) ? value.toLowerCase() : null;

function eventOf(line: string): Raw | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (Array.isArray(value)) value = value[0] === 'EVENT' ? (value.length >= 3 ? value[2] : value[1]) : null;
  const e = value as Partial<Raw> | null;
  if (typeof e !== 'object' || e === null) return null;
  if (typeof e.id !== 'string' || typeof e.pubkey !== 'string' || typeof e.sig !== 'string') return null;
  if (typeof e.content !== 'string' || !Number.isInteger(e.created_at) || !Number.isInteger(e.kind))
    return null;
  if (
    !Array.isArray(e.tags) ||
    !e.tags.every((t) => Array.isArray(t) && t.every((v) => typeof v === 'string'))
  )
    return null;
  return e as Raw;
}

let wasm: Promise<Nostr> | undefined;

/** NIP-01: the id is the sha256 of [0, pubkey, created_at, kind, tags, content]. */
function validId(e: Raw): boolean {
  const serialized = JSON.stringify([0, e.pubkey, e.created_at, e.kind, e.tags, e.content]);
  return createHash('sha256').update(serialized).digest('hex') === e.id;
}

function validSignature(secp: Nostr, e: Raw): boolean {
  try {
    secp.verifyEvent({ ...e });
    return true;
  } catch {
    return false;
  }
}

/** Amount of a bolt11 invoice in msat from its human-readable part (lnbc<amount><multiplier>). */
export function bolt11Msat(invoice: string): number | null {
  const match = /^ln(?:bc|tb|bcrt|tbs)(\d+)([munp]?)1/.exec(invoice.toLowerCase());
  if (!match) return null;
  const amount = BigInt(match[1]!);
  const perBtc = 100_000_000_000n; // msat in one bitcoin
  const divisor = { '': 1n, m: 1_000n, u: 1_000_000n, n: 1_000_000_000n, p: 1_000_000_000_000n }[match[2]!]!;
  const msat = amount * perBtc;
  if (msat % divisor !== 0n) return null;
  const value = Number(msat / divisor);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

function amountMsat(tags: readonly string[][]): number | null {
  const tag = tags.find((t) => t[0] === 'amount');
  if (!tag) return null;
  const invoice = tag[2] ? bolt11Msat(tag[2]) : null;
  if (invoice !== null) return invoice;
  return /^\d+$/.test(tag[1] ?? '') && Number.isSafeInteger(Number(tag[1])) ? Number(tag[1]) : null;
}

const first = (a: { at: number; id: string }, b: { at: number; id: string }) =>
  a.at < b.at || (a.at === b.at && a.id < b.id);

export const kindLabel = (kind: number) => (ORACLE_KNOWN_KINDS.includes(kind) ? String(kind) : 'other');

type Counts = Record<string, number>;
const add = (counts: Counts, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

/** Everything the oracle knows, built once from the raw lines of every file (order irrelevant). */
export class DvmDashOracle {
  readonly requests = new Map<string, Req>();
  readonly responses: Resp[] = [];
  readonly announcers = new Set<string>();
  /** Kind 5 deletions: who asked, and the event ids they name. */
  readonly cancellations: { author: string; targets: string[] }[] = [];
  /** Newest created_at of any accepted event: replay's "now" at its end. */
  newestAt = 0;

  static async of(lines: Iterable<string>, wallNow = Date.now() / 1000): Promise<DvmDashOracle> {
    wasm ??= initNostrWasm();
    return new DvmDashOracle(lines, await wasm, wallNow);
  }

  private constructor(lines: Iterable<string>, secp: Nostr, wallNow: number) {
    const seen = new Set<string>();
    for (const line of lines) {
      const e = eventOf(line.trim());
      if (!e || seen.has(e.id) || e.created_at > wallNow + MAX_FUTURE_SECONDS) continue;
      if (!this.isDvmEvent(e) || !validId(e) || !validSignature(secp, e)) continue;
      seen.add(e.id);
      this.newestAt = Math.max(this.newestAt, e.created_at);
      this.take(e);
    }
  }

  private isDvmEvent(e: Raw): boolean {
    const has = (names: string[]) => e.tags.some((t) => names.includes(t[0] ?? ''));
    if (ORACLE_EXCLUDED_KINDS.includes(e.kind)) return false;
    if (e.kind >= 5000 && e.kind <= 5999) return ORACLE_KNOWN_KINDS.includes(e.kind) || has(REQUEST_JOB_TAGS);
    if (e.kind >= 6000 && e.kind <= 6999)
      return ORACLE_KNOWN_KINDS.includes(e.kind - 1000) || has(RESULT_JOB_TAGS);
    if (e.kind === 31990)
      return e.tags.some(
        (t) => t[0] === 'k' && /^\d+$/.test(t[1] ?? '') && Number(t[1]) >= 5000 && Number(t[1]) <= 5999,
      );
    if (e.kind === 5) return e.tags.some((t) => t[0] === 'e' && hexOf(t[1]) !== null);
    return e.kind === 7000;
  }

  private take(e: Raw): void {
    if (e.kind === 31990) {
      this.announcers.add(e.pubkey);
      return;
    }
    if (e.kind === 5) {
      const targets = e.tags.filter((t) => t[0] === 'e').map((t) => hexOf(t[1]));
      this.cancellations.push({ author: e.pubkey, targets: targets.filter((t): t is string => t !== null) });
      return;
    }
    if (e.kind < 6000) {
      const targets = [...new Set(e.tags.filter((t) => t[0] === 'p').map((t) => hexOf(t[1])))].filter(
        (p): p is string => p !== null,
      );
      this.requests.set(e.id, { id: e.id, author: e.pubkey, kind: e.kind, at: e.created_at, targets });
      return;
    }
    const eTags = e.tags.filter((t) => t[0] === 'e' && hexOf(t[1]) !== null);
    const jobTag = eTags.find((t) => t[3] === 'job') ?? eTags[0];
    const statusTag = e.tags.find((t) => t[0] === 'status');
    this.responses.push({
      id: e.id,
      dvm: e.pubkey,
      role: e.kind === 7000 ? 'feedback' : 'result',
      at: e.created_at,
      job: jobTag ? hexOf(jobTag[1]) : null,
      p:
        e.tags
          .filter((t) => t[0] === 'p')
          .map((t) => hexOf(t[1]))
          .find((p) => p !== null) ?? null,
      requestKind: e.kind === 7000 ? null : e.kind - 1000,
      status: statusTag?.[1] === undefined ? null : statusTag[1].trim().toLowerCase().replaceAll('_', '-'),
      msat: amountMsat(e.tags),
    });
  }

  private get results(): Resp[] {
    return this.responses.filter((r) => r.role === 'result');
  }

  /** Every (job, DVM) pair with at least one response naming the job. */
  pairs(options: { withPongs: boolean }): Map<string, { job: string; dvm: string; responses: Resp[] }> {
    const pairs = new Map<string, { job: string; dvm: string; responses: Resp[] }>();
    for (const r of this.responses) {
      if (r.job === null || (!options.withPongs && r.status === 'pong')) continue;
      const key = `${r.job} ${r.dvm}`;
      const pair = pairs.get(key) ?? { job: r.job, dvm: r.dvm, responses: [] };
      pair.responses.push(r);
      pairs.set(key, pair);
    }
    return pairs;
  }

  // ---- DVMDash v0.1's fourteen global cards -------------------------------------------------------

  globalCards(now = Date.now() / 1000) {
    const requests = [...this.requests.values()];
    const results = this.results;
    const since = (seconds: number) => (at: number) => at >= Math.floor(now) - seconds;
    const day = since(86_400);
    const week = since(7 * 86_400);
    return {
      requests: requests.length,
      results: results.length,
      request_kinds: new Set(requests.map((r) => r.kind)).size,
      result_kinds: new Set(results.map((r) => r.requestKind! + 1000)).size,
      dvm_pubkeys: new Set([...results.map((r) => r.dvm), ...this.announcers]).size,
      dvm_profiles: this.announcers.size,
      unique_users: new Set(requests.map((r) => r.author)).size,
      sats_paid: this.satsPaidMsat() / 1000,
      requests_24h: requests.filter((r) => day(r.at)).length,
      results_24h: results.filter((r) => day(r.at)).length,
      requests_week: requests.filter((r) => week(r.at)).length,
      results_week: results.filter((r) => week(r.at)).length,
      most_popular_dvm: this.mostPopularDvm(),
      most_popular_kind: this.mostPopularKind(),
    };
  }

  /**
   * DVMDash's estimate: a DVM that asked for payment on a job and published a result for it is taken as
   * paid the amount of its first payment-required feedback (by created_at, id), once per job and DVM.
   */
  earnedBySql(pair: { responses: Resp[] }): number | null {
    if (!pair.responses.some((r) => r.role === 'result')) return null;
    const asks = pair.responses.filter((r) => r.role === 'feedback' && r.status === 'payment-required');
    const firstAsk = asks.reduce<Resp | null>((a, b) => (a === null || first(b, a) ? b : a), null);
    return firstAsk?.msat ?? null;
  }

  satsPaidMsat(): number {
    let msat = 0;
    for (const pair of this.pairs({ withPongs: false }).values()) msat += this.earnedBySql(pair) ?? 0;
    return msat;
  }

  /** Jobs completed per DVM: a result for a request that was seen. */
  completedByDvm(): Map<string, number> {
    const completed = new Map<string, number>();
    for (const pair of this.pairs({ withPongs: false }).values()) {
      if (!this.requests.has(pair.job) || !pair.responses.some((r) => r.role === 'result')) continue;
      completed.set(pair.dvm, (completed.get(pair.dvm) ?? 0) + 1);
    }
    return completed;
  }

  mostPopularDvm(): { dvm: string; jobs_completed: number } | null {
    const [best] = [...this.completedByDvm()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
    return best ? { dvm: best[0], jobs_completed: best[1] } : null;
  }

  mostPopularKind(): { kind: number; customers: number; requests: number } | null {
    const rows = [...this.perKind()].map(([kind, k]) => ({
      kind,
      customers: k.customers,
      requests: k.requests,
    }));
    rows.sort((a, b) => b.customers - a.customers || b.requests - a.requests || a.kind - b.kind);
    return rows[0] ?? null;
  }

  // ---- per-DVM and per-kind tables ----------------------------------------------------------------

  /** What `dvms` says of every DVM that responded. */
  perDvm(): Map<
    string,
    { results: number; feedback: number; jobs: number; jobs_delivered: number; customers: number }
  > {
    const out = new Map<
      string,
      {
        results: Set<string>;
        feedback: Set<string>;
        jobs: Set<string>;
        delivered: Set<string>;
        customers: Set<string>;
      }
    >();
    for (const r of this.responses) {
      const d = out.get(r.dvm) ?? {
        results: new Set(),
        feedback: new Set(),
        jobs: new Set(),
        delivered: new Set(),
        customers: new Set(),
      };
      (r.role === 'result' ? d.results : d.feedback).add(r.id);
      if (r.job !== null) {
        d.jobs.add(r.job);
        if (r.role === 'result') d.delivered.add(r.job);
      }
      // The customer of a response is the author of its request; its `p` tag while that is unseen.
      const customer = (r.job !== null ? this.requests.get(r.job)?.author : undefined) ?? r.p;
      if (customer) d.customers.add(customer);
      out.set(r.dvm, d);
    }
    return new Map(
      [...out].map(([dvm, d]) => [
        dvm,
        {
          results: d.results.size,
          feedback: d.feedback.size,
          jobs: d.jobs.size,
          jobs_delivered: d.delivered.size,
          customers: d.customers.size,
        },
      ]),
    );
  }

  /** Per request kind: requests, distinct customers, jobs completed and DVMs that completed one. */
  perKind(): Map<number, { requests: number; customers: number; jobs_completed: number; dvms: number }> {
    const kinds = new Map<
      number,
      { requests: number; customers: Set<string>; completed: number; dvms: Set<string> }
    >();
    const entry = (kind: number) => {
      const k = kinds.get(kind) ?? { requests: 0, customers: new Set(), completed: 0, dvms: new Set() };
      kinds.set(kind, k);
      return k;
    };
    for (const r of this.requests.values()) {
      const k = entry(r.kind);
      k.requests++;
      k.customers.add(r.author);
    }
    for (const pair of this.pairs({ withPongs: false }).values()) {
      const request = this.requests.get(pair.job);
      if (!request || !pair.responses.some((r) => r.role === 'result')) continue;
      const k = entry(request.kind);
      k.completed++;
      k.dvms.add(pair.dvm);
    }
    return new Map(
      [...kinds].map(([kind, k]) => [
        kind,
        { requests: k.requests, customers: k.customers.size, jobs_completed: k.completed, dvms: k.dvms.size },
      ]),
    );
  }

  // ---- latencies ----------------------------------------------------------------------------------

  /**
   * Seconds from a request to a DVM's first feedback, first result and first response of either kind,
   * per (request kind, DVM): count and sum, clamped at 0 (signers' clocks disagree).
   */
  latencies(options: { withPongs: boolean; label?: (kind: number) => string }) {
    const label = options.label ?? kindLabel;
    const out = {
      feedback: {} as Counts,
      feedbackSum: {} as Counts,
      result: {} as Counts,
      resultSum: {} as Counts,
      response: {} as Counts,
      responseSum: {} as Counts,
    };
    for (const pair of this.pairs(options).values()) {
      const request = this.requests.get(pair.job);
      if (!request) continue;
      const key = `${label(request.kind)} ${pair.dvm}`;
      const earliest = (role?: Resp['role']) => {
        const times = pair.responses.filter((r) => role === undefined || r.role === role).map((r) => r.at);
        return times.length === 0 ? null : Math.max(0, Math.min(...times) - request.at);
      };
      for (const [role, count, sum] of [
        ['feedback', out.feedback, out.feedbackSum],
        ['result', out.result, out.resultSum],
        [undefined, out.response, out.responseSum],
      ] as const) {
        const seconds = earliest(role);
        if (seconds === null) continue;
        add(count, key);
        add(sum, key, seconds);
      }
    }
    return out;
  }

  // ---- the project's job counters (docs/metrics.md) -------------------------------------------------

  requestsByKind(): Counts {
    const out: Counts = {};
    for (const r of this.requests.values()) add(out, kindLabel(r.kind));
    return out;
  }

  resultsByKindAndDvm(): Counts {
    const out: Counts = {};
    for (const r of this.results) add(out, `${kindLabel(r.requestKind!)} ${r.dvm}`);
    return out;
  }

  /** Feedback by (kind of its request when that came first, else `unknown`; DVM). */
  feedbackByKindAndDvm(): Counts {
    const out: Counts = {};
    for (const r of this.responses) {
      if (r.role !== 'feedback') continue;
      const request = r.job === null ? undefined : this.requests.get(r.job);
      add(out, `${request && first(request, r) ? kindLabel(request.kind) : 'unknown'} ${r.dvm}`);
    }
    return out;
  }

  /**
   * Earned, as the metric counts it (docs/metrics.md): the DVM's earliest payment-required feedback with
   * a usable amount, and a result of the same DVM created no earlier than it.
   */
  earnedByDvm(): Counts {
    const out: Counts = {};
    for (const pair of this.pairs({ withPongs: true }).values()) {
      const priced = pair.responses
        .filter((r) => r.role === 'feedback' && r.status === 'payment-required' && r.msat !== null)
        .reduce<Resp | null>((a, b) => (a === null || first(b, a) ? b : a), null);
      if (!priced) continue;
      if (pair.responses.some((r) => r.role === 'result' && r.at >= priced.at))
        add(out, pair.dvm, priced.msat!);
    }
    return out;
  }

  /**
   * Addressed DVMs (first 16 `p` targets) with no feedback and no result created within the answer
   * timeout of the request, for requests whose timeout passed before the newest event.
   */
  unanswered(): number {
    let count = 0;
    for (const request of this.requests.values()) {
      const deadline = request.at + ANSWER_TIMEOUT_SECONDS;
      // Past the newest event the timeout has not passed yet, unless the job expires when the input ends.
      if (deadline > this.newestAt && !this.expiresAtEnd(request)) continue;
      for (const target of request.targets.slice(0, MAX_TARGETS)) {
        if (!this.responses.some((r) => r.job === request.id && r.dvm === target && r.at <= deadline))
          count++;
      }
    }
    return count;
  }

  /**
   * Whether a job still open at the end of the input expires there: no result from anyone, not
   * cancelled by its author, and not failing (every responding DVM's newest feedback an error).
   */
  private expiresAtEnd(request: Req): boolean {
    const responses = this.responses.filter((r) => r.job === request.id);
    if (responses.some((r) => r.role === 'result')) return false;
    if (this.cancellations.some((c) => c.author === request.author && c.targets.includes(request.id)))
      return false;
    const newest = new Map<string, Resp>();
    for (const r of responses) {
      const known = newest.get(r.dvm);
      if (!known || first(known, r)) newest.set(r.dvm, r);
    }
    return newest.size === 0 || ![...newest.values()].every((r) => r.status === 'error');
  }

  /** Every job: each request, and each request id that only responses name. */
  jobs(): number {
    const ids = new Set(this.requests.keys());
    for (const r of this.responses) if (r.job !== null) ids.add(r.job);
    return ids.size;
  }
}
