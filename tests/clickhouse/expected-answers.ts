import type { DvmEvent, JobFeedback, JobRequest, JobResult } from '../../exporter/model/dvm-event.js';

/**
 * The example queries' answers, computed from the parsed events in plain TypeScript, independently of
 * the SQL. Row shapes follow the queries' columns.
 */

type Row = Record<string, unknown>;

const byCreatedThenId = (a: DvmEvent, b: DvmEvent) =>
  a.event.created_at - b.event.created_at || (a.event.id < b.event.id ? -1 : a.event.id > b.event.id ? 1 : 0);

export const dateTime = (seconds: number) =>
  new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');

/** ClickHouse's quantileExact: the element at floor(level * n) of the sorted values. */
export function quantileExact(level: number, values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(Math.floor(level * sorted.length), sorted.length - 1)] as number;
}

interface Part {
  readonly job: string;
  readonly dvm: string;
  readonly feedback: JobFeedback[];
  readonly results: JobResult[];
}

export class Expectations {
  readonly requests = new Map<string, JobRequest>();
  readonly parts = new Map<string, Part>();

  constructor(readonly events: readonly DvmEvent[]) {
    for (const e of events) {
      if (e.role === 'request') this.requests.set(e.event.id, e);
      if ((e.role === 'feedback' || e.role === 'result') && e.requestId !== null) {
        if (e.role === 'feedback' && e.status === 'pong') continue;
        const key = `${e.requestId}/${e.event.pubkey}`;
        const part = this.parts.get(key) ?? {
          job: e.requestId,
          dvm: e.event.pubkey,
          feedback: [],
          results: [],
        };
        if (e.role === 'feedback') part.feedback.push(e);
        else part.results.push(e);
        this.parts.set(key, part);
      }
    }
  }

  /** The first payment request of a part, by (created_at, id). */
  private paymentRequest(part: Part): JobFeedback | null {
    return part.feedback.filter((f) => f.status === 'payment-required').sort(byCreatedThenId)[0] ?? null;
  }

  private amountAsked(part: Part): number | null {
    const asked = this.paymentRequest(part);
    return asked ? (asked.amount?.invoiceMsat ?? asked.amount?.tagMsat ?? null) : null;
  }

  earned(part: Part): number | null {
    return part.results.length > 0 ? this.amountAsked(part) : null;
  }

  private profileName(dvm: string): string | null {
    const latest = this.events
      .filter((e) => e.role === 'announcement' && e.event.pubkey === dvm)
      .sort(byCreatedThenId)
      .at(-1);
    return latest?.role === 'announcement' ? latest.profile.name : null;
  }

  private count<T>(items: Iterable<T>): number {
    return new Set(items).size;
  }

  globalStats(): Row[] {
    const of = (role: DvmEvent['role']) => this.events.filter((e) => e.role === role);
    const dvms = new Set<string>();
    for (const e of this.events) {
      if (e.role === 'announcement' || e.role === 'result') dvms.add(e.event.pubkey);
    }
    const earned = [...this.parts.values()].map((p) => this.earned(p) ?? 0).reduce((a, b) => a + b, 0);
    return [
      {
        requests: of('request').length,
        results: of('result').length,
        request_kinds: this.count(of('request').map((e) => e.event.kind)),
        result_kinds: this.count(of('result').map((e) => e.event.kind)),
        dvm_pubkeys: dvms.size,
        dvm_profiles: this.count(of('announcement').map((e) => e.event.pubkey)),
        unique_users: this.count(of('request').map((e) => e.event.pubkey)),
        sats_paid: earned / 1000,
      },
    ];
  }

  mostPopularDvm(): Row[] {
    const completed = new Map<string, number>();
    for (const part of this.parts.values()) {
      if (part.results.length > 0 && this.requests.has(part.job)) {
        completed.set(part.dvm, (completed.get(part.dvm) ?? 0) + 1);
      }
    }
    const [dvm, jobs] = [...completed].sort(([a, x], [b, y]) => y - x || a.localeCompare(b))[0] ?? [];
    return dvm === undefined ? [] : [{ dvm, name: this.profileName(dvm), jobs_completed: jobs }];
  }

  mostPopularKind(): Row[] {
    const kinds = new Map<number, { customers: Set<string>; requests: number }>();
    for (const r of this.requests.values()) {
      const entry = kinds.get(r.kind) ?? { customers: new Set(), requests: 0 };
      entry.customers.add(r.event.pubkey);
      entry.requests++;
      kinds.set(r.kind, entry);
    }
    const rows = [...kinds].map(([kind, e]) => ({ kind, customers: e.customers.size, requests: e.requests }));
    rows.sort((a, b) => b.customers - a.customers || b.requests - a.requests || a.kind - b.kind);
    return rows.slice(0, 1);
  }

  satsPerDvm(): Row[] {
    const per = new Map<string, { jobs: number; msat: number }>();
    for (const part of this.parts.values()) {
      const earned = this.earned(part);
      if (earned === null) continue;
      const entry = per.get(part.dvm) ?? { jobs: 0, msat: 0 };
      entry.jobs++;
      entry.msat += earned;
      per.set(part.dvm, entry);
    }
    return [...per]
      .map(([dvm, e]) => ({ dvm, name: this.profileName(dvm), paid_jobs: e.jobs, sats: e.msat / 1000 }))
      .sort((a, b) => b.sats - a.sats || a.dvm.localeCompare(b.dvm));
  }

  responseTimePercentiles(): Row[] {
    const groups = new Map<string, { kind: number; dvm: string; seconds: number[] }>();
    for (const part of this.parts.values()) {
      const request = this.requests.get(part.job);
      const first = [...part.results].sort(byCreatedThenId)[0];
      if (!request || !first) continue;
      const key = `${request.kind}/${part.dvm}`;
      const group = groups.get(key) ?? { kind: request.kind, dvm: part.dvm, seconds: [] };
      group.seconds.push(Math.max(first.event.created_at - request.event.created_at, 0));
      groups.set(key, group);
    }
    return [...groups.values()]
      .map((g) => ({
        kind: g.kind,
        dvm: g.dvm,
        jobs: g.seconds.length,
        p50_seconds: quantileExact(0.5, g.seconds),
        p95_seconds: quantileExact(0.95, g.seconds),
        max_seconds: Math.max(...g.seconds),
      }))
      .sort((a, b) => a.kind - b.kind || a.p50_seconds - b.p50_seconds || a.dvm.localeCompare(b.dvm));
  }

  paidNeverDelivered(): Row[] {
    const per = new Map<string, { asked: number; undelivered: number; msat: number | null }>();
    for (const part of this.parts.values()) {
      const entry = per.get(part.dvm) ?? { asked: 0, undelivered: 0, msat: null };
      if (this.paymentRequest(part)) {
        entry.asked++;
        if (part.results.length === 0) {
          entry.undelivered++;
          const amount = this.amountAsked(part);
          if (amount !== null) entry.msat = (entry.msat ?? 0) + amount;
        }
      }
      per.set(part.dvm, entry);
    }
    return [...per]
      .filter(([, e]) => e.undelivered > 0)
      .map(([dvm, e]) => ({
        dvm,
        name: this.profileName(dvm),
        jobs_asked: e.asked,
        jobs_undelivered: e.undelivered,
        sats_asked_undelivered: e.msat === null ? null : e.msat / 1000,
      }))
      .sort((a, b) => b.jobs_undelivered - a.jobs_undelivered || a.dvm.localeCompare(b.dvm));
  }

  lastRequestsPerKind(): Row[] {
    const newestFirst = [...this.requests.values()].sort((a, b) => -byCreatedThenId(a, b));
    const kinds = [...new Set(newestFirst.map((r) => r.kind))].sort((a, b) => a - b);
    return kinds.flatMap((kind) =>
      newestFirst
        .filter((r) => r.kind === kind)
        .slice(0, 3)
        .map((r) => ({
          kind,
          created_at: dateTime(r.event.created_at),
          id: r.event.id,
          customer: r.event.pubkey,
          encrypted: r.encryption === 'none' ? 0 : 1,
        })),
    );
  }

  uniqueUsersPerDay(): Row[] {
    const days = new Map<string, { users: Set<string>; requests: number }>();
    for (const r of this.requests.values()) {
      const day = dateTime(r.event.created_at).slice(0, 10);
      const entry = days.get(day) ?? { users: new Set(), requests: 0 };
      entry.users.add(r.event.pubkey);
      entry.requests++;
      days.set(day, entry);
    }
    return [...days]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, e]) => ({ day, users: e.users.size, requests: e.requests }));
  }

  /** The root of a request's chain: follow the first job input that is a stored request. */
  rootOf(id: string): string {
    let current = id;
    for (let depth = 0; depth < 64; depth++) {
      const parent = this.requests.get(current)?.jobInputs.find((input) => this.requests.has(input));
      if (!parent) return current;
      current = parent;
    }
    return current;
  }

  jobChain(job: string): Row[] {
    const root = this.rootOf(job);
    const chainJobs = new Set([...this.requests.keys()].filter((id) => this.rootOf(id) === root));
    const chainIds = new Set(
      this.events
        .filter(
          (e) =>
            chainJobs.has(e.event.id) ||
            ((e.role === 'feedback' || e.role === 'result') &&
              e.requestId !== null &&
              chainJobs.has(e.requestId)),
        )
        .map((e) => e.event.id),
    );
    return this.events
      .filter(
        (e) =>
          chainIds.has(e.event.id) ||
          ((e.role === 'zap_receipt' || e.role === 'cancellation') &&
            e.targetIds.some((t) => chainIds.has(t))),
      )
      .sort(byCreatedThenId)
      .map((e) => ({
        created_at: dateTime(e.event.created_at),
        role: e.role,
        kind: e.event.kind,
        pubkey: e.event.pubkey,
        id: e.event.id,
        request_id: e.role === 'feedback' || e.role === 'result' ? (e.requestId ?? '') : '',
        status: e.role === 'feedback' ? e.status : '',
      }));
  }
}
