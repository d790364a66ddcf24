import type { DvmAnnouncement, DvmEvent, PaymentAmount } from '../../model/dvm-event.js';

/**
 * Rows as the store's tables expect them (JSONEachRow). Pure functions of one accepted event (plus,
 * for the sighting columns, where and when it was first seen), so the same event always yields the
 * same row and copies collapse. Times: DateTime columns take whole seconds, DateTime64(3) columns
 * integer milliseconds.
 */

export interface EventRow {
  readonly id: string;
  readonly pubkey: string;
  readonly created_at: number;
  readonly kind: number;
  readonly role: string;
  readonly job_kind: number;
  readonly request_id: string;
  readonly customer: string;
  readonly dvm: string;
  readonly status: string;
  readonly status_raw: string;
  readonly status_text: string;
  readonly amount_raw: string;
  readonly amount_msat: number | null;
  readonly invoice_msat: number | null;
  readonly bolt11: string;
  readonly amount_issues: readonly string[];
  readonly bid_msat: number | null;
  readonly zap_msat: number | null;
  readonly encryption: string;
  readonly encrypted: 0 | 1;
  readonly test_key: 0 | 1;
  readonly job_inputs: readonly string[];
  readonly targets: readonly string[];
  readonly target_ids: readonly string[];
  readonly d: string;
  readonly announced_kinds: readonly number[];
  readonly tags: readonly (readonly string[])[];
  readonly content: string;
  readonly sig: string;
  readonly first_seen_at: number;
  readonly first_relay: string;
}

export interface SightingRow {
  readonly id: string;
  readonly relay: string;
  readonly received_at: number;
  readonly first: 0 | 1;
}

export interface AnnouncementRow {
  readonly dvm: string;
  readonly d: string;
  readonly created_at: number;
  readonly id: string;
  readonly kinds: readonly number[];
  readonly name: string | null;
  readonly picture: string | null;
  readonly about: string | null;
  readonly lud16: string | null;
  readonly supports_encryption: 0 | 1 | null;
  readonly accepts_nutzaps: 0 | 1 | null;
  readonly amount: string | null;
  readonly nip90_params: string;
}

type RoleColumns = Partial<
  Pick<
    EventRow,
    | 'job_kind'
    | 'request_id'
    | 'customer'
    | 'dvm'
    | 'status'
    | 'status_raw'
    | 'status_text'
    | 'bid_msat'
    | 'zap_msat'
    | 'bolt11'
    | 'encryption'
    | 'test_key'
    | 'job_inputs'
    | 'targets'
    | 'target_ids'
    | 'd'
    | 'announced_kinds'
  >
> & { readonly amount?: PaymentAmount | null };

const isJobKind = (kind: number) => kind >= 5000 && kind <= 5999;
const asKind = (kind: number | null) => (kind !== null && kind <= 65_535 ? kind : 0);

/** The columns that depend on the role; everything absent keeps its empty default. */
function roleColumns(event: DvmEvent): RoleColumns {
  switch (event.role) {
    case 'request':
      return {
        job_kind: event.kind,
        customer: event.event.pubkey,
        encryption: event.encryption,
        test_key: event.testKey ? 1 : 0,
        job_inputs: event.jobInputs,
        targets: event.targets,
        bid_msat: event.bidMsat,
      };
    case 'result':
      return {
        job_kind: event.requestKind,
        request_id: event.requestId ?? '',
        customer: event.customer ?? '',
        dvm: event.event.pubkey,
        encryption: event.encryption,
        amount: event.amount,
      };
    case 'feedback':
      return {
        request_id: event.requestId ?? '',
        customer: event.customer ?? '',
        dvm: event.event.pubkey,
        status: event.status,
        status_raw: event.rawStatus ?? '',
        status_text: event.statusText ?? '',
        encryption: event.encryption,
        amount: event.amount,
      };
    case 'announcement':
      return { dvm: event.event.pubkey, d: event.d, announced_kinds: event.kinds };
    case 'recommendation':
      // `d` is free text: a number past the UInt16 column is no kind at all (the tags keep it).
      return { job_kind: asKind(event.supportedKind), target_ids: event.handlers };
    case 'cancellation':
      return { job_kind: event.kinds.find(isJobKind) ?? 0, target_ids: event.targetIds };
    case 'heartbeat':
      return { dvm: event.event.pubkey, d: event.d ?? '', status_text: event.statusText ?? '' };
    case 'zap_receipt':
      return {
        dvm: event.recipient ?? '',
        target_ids: event.targetIds,
        bolt11: event.bolt11 ?? '',
        zap_msat: event.amountMsat,
      };
  }
}

/** Whole milliseconds, as DateTime64(3) columns take them. */
export const millis = (seconds: number) => Math.round(seconds * 1000);

export function eventRow(event: DvmEvent, relay: string | null, receivedAt: number): EventRow {
  const nostr = event.event;
  const { amount, ...columns } = roleColumns(event);
  const encryption = columns.encryption ?? 'none';
  return {
    id: nostr.id,
    pubkey: nostr.pubkey,
    created_at: nostr.created_at,
    kind: nostr.kind,
    role: event.role,
    job_kind: 0,
    request_id: '',
    customer: '',
    dvm: '',
    status: '',
    status_raw: '',
    status_text: '',
    bid_msat: null,
    zap_msat: null,
    test_key: 0,
    job_inputs: [],
    targets: [],
    target_ids: [],
    d: '',
    announced_kinds: [],
    ...columns,
    amount_raw: amount?.raw ?? '',
    amount_msat: amount?.tagMsat ?? null,
    invoice_msat: amount?.invoiceMsat ?? null,
    bolt11: amount?.bolt11 ?? columns.bolt11 ?? '',
    amount_issues: amount?.issues ?? [],
    encryption,
    encrypted: encryption === 'none' ? 0 : 1,
    tags: nostr.tags,
    content: nostr.content,
    sig: nostr.sig,
    first_seen_at: millis(receivedAt),
    first_relay: relay ?? '',
  };
}

const flag = (value: boolean | null): 0 | 1 | null => (value === null ? null : value ? 1 : 0);

export function announcementRow(announcement: DvmAnnouncement): AnnouncementRow {
  const { profile, event } = announcement;
  return {
    dvm: event.pubkey,
    d: announcement.d,
    created_at: event.created_at,
    id: event.id,
    kinds: announcement.kinds,
    name: profile.name,
    picture: profile.picture,
    about: profile.about,
    lud16: profile.lud16,
    supports_encryption: flag(profile.supportsEncryption),
    accepts_nutzaps: flag(profile.acceptsNutZaps),
    amount: profile.amount,
    nip90_params:
      profile.nip90Params === undefined || profile.nip90Params === null
        ? ''
        : JSON.stringify(profile.nip90Params),
  };
}

export function sightingRow(id: string, relay: string, receivedAt: number, first: boolean): SightingRow {
  return { id, relay, received_at: millis(receivedAt), first: first ? 1 : 0 };
}
