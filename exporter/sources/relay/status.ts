import type { RejectReason } from '../../model/reasons.js';
import type { EffectiveLimits } from './limits.js';
import type { DisconnectReason } from './socket.js';

/** One relay's state as `/api/relays` shows it. Times are seconds since the epoch. */
export interface RelayStatus {
  readonly url: string;
  readonly state: 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';
  readonly connected: boolean;
  /** When the current state began. */
  readonly since: number;
  readonly lastEventAt: number | null;
  /** Resume point (persisted after the next flush). */
  readonly cursor: number | null;
  /** Newest created_at the pipeline took from this relay. */
  readonly frontier: number | null;
  /** Every REQ backfilled and live. */
  readonly caughtUp: boolean;
  readonly subscriptions: number;
  /** The REQs held open: live ones from the plan and the zap-receipt one. */
  readonly reqs: readonly {
    readonly id: string | null;
    readonly role: 'live' | 'zaps';
    readonly eose: boolean;
    readonly backfilled: boolean;
    readonly filters: number;
  }[];
  readonly uncoveredKinds: number;
  readonly limits: EffectiveLimits | null;
  readonly relayInfo: { readonly name: string | null; readonly software: string | null } | null;
  readonly counts: {
    readonly received: number;
    readonly bytes: number;
    /** Accepted events this relay delivered before any other relay. */
    readonly firstSeen: number;
    readonly duplicates: number;
    readonly rejected: Partial<Record<RejectReason, number>>;
    readonly invalidFrames: number;
    readonly refusals: { readonly CLOSED: number; readonly NOTICE: number };
    readonly shed: number;
    readonly reconnects: number;
    readonly backfillPages: number;
  };
  readonly lastRefusal: {
    readonly frame: 'CLOSED' | 'NOTICE';
    readonly message: string;
    readonly at: number;
  } | null;
  readonly lastDisconnect: {
    readonly reason: DisconnectReason;
    readonly detail: string;
    readonly at: number;
  } | null;
}
