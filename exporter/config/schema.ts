import { z } from 'zod';
import { DEFAULT_JOB_INDEX_OPTIONS } from '../jobs/options.js';
import { isPublicKey, isSecretKey } from '../model/nostr-keys.js';
import { DEFAULT_SHAPE_LIMITS } from '../model/validate.js';

/**
 * The exporter's configuration: one strict schema (unknown keys are errors) shared by every command.
 * Values come from defaults < config file < DVM_EXPORTER_* environment < flags.
 */

/** Public relays that carry DVM traffic (DVMDash's production list, de-duplicated and still reachable). */
export const DEFAULT_RELAYS = [
  'wss://relay.damus.io',
  'wss://nos.lol',
  'wss://relay.primal.net',
  'wss://offchain.pub',
  'wss://nostr.mom',
  'wss://nostr.oxtr.dev',
  'wss://relay.nostr.bg',
  'wss://nostr-pub.wellorder.net',
] as const;

/** The exporter's HTTP port: clear of Prometheus (9090), Alertmanager, node (9100) and blackbox (9115). */
export const DEFAULT_PORT = 9890;

const seconds = z.number().int().nonnegative();
const positive = z.number().int().positive();
// Parsed as the socket will parse it, so what is shown (base/redact.ts) is what is connected to.
const relayUrl = z
  .string()
  .refine((url) => /^wss?:\/\/\S+$/.test(url) && URL.canParse(url), 'must be a ws:// or wss:// URL');

export const relayLimitsSchema = z
  .object({
    /** Kinds per filter; the kinds list is split across filters beyond this (strict relays allow 20). */
    maxKindsPerFilter: positive.default(20),
    /** Filters per REQ: 20 x 20 kinds lets the default subscriptions cover every job kind. */
    maxFiltersPerReq: positive.default(20),
    /** Open subscriptions per relay. */
    maxSubscriptions: positive.default(8),
    /** `limit` asked per backfill page; also the page size that signals "more to fetch". */
    pageLimit: positive.default(500),
  })
  .strict();

export const ingestSchema = z
  .object({
    relays: z
      .array(relayUrl)
      .min(1)
      .default([...DEFAULT_RELAYS]),
    limits: relayLimitsSchema.default(relayLimitsSchema.parse({})),
    /** On a first start with no cursor, backfill this far back. */
    initialBackfillSeconds: seconds.default(3_600),
    /** Resubscribe from cursor minus this margin (relays deliver late; copies collapse). */
    cursorSafetySeconds: seconds.default(300),
    /** Ping interval; a socket with no traffic and no pong for `deadSocketSeconds` is replaced. */
    pingIntervalSeconds: positive.default(30),
    deadSocketSeconds: positive.default(90),
    reconnectMinSeconds: z.number().positive().default(1),
    reconnectMaxSeconds: z.number().positive().default(300),
  })
  .strict();

export const pipelineSchema = z
  .object({
    maxEventBytes: positive.default(DEFAULT_SHAPE_LIMITS.maxEventBytes),
    maxFutureSeconds: seconds.default(DEFAULT_SHAPE_LIMITS.maxFutureSeconds),
    seenIdCapacity: positive.default(200_000),
    /** Signature verifier: native libsecp256k1 when its addon loads (`auto`), or forced. */
    verifier: z.enum(['auto', 'native', 'wasm']).default('auto'),
    /** Worker threads verifying signatures in `replay` (`run` verifies on its main thread); 0: none. */
    verifyThreads: z.number().int().min(0).max(64).default(2),
  })
  .strict();

export const jobsSchema = z
  .object({
    maxJobs: positive.default(DEFAULT_JOB_INDEX_OPTIONS.maxJobs),
    horizonSeconds: positive.default(DEFAULT_JOB_INDEX_OPTIONS.horizonSeconds),
    settleWindowSeconds: seconds.default(DEFAULT_JOB_INDEX_OPTIONS.settleWindowSeconds),
    expirySeconds: positive.default(DEFAULT_JOB_INDEX_OPTIONS.expirySeconds),
  })
  .strict();

export const metricsSchema = z
  .object({
    /** Events created more than this long before they arrive count as backfill, not live rate. */
    liveWindowSeconds: positive.default(600),
    /** Distinct `dvm` label values before new DVMs fold into `__other__`. */
    dvmLabelCap: positive.default(200),
    /** DVMs always labelled (never folded, never expired). */
    dvmAllowlist: z.array(z.string().regex(/^[0-9a-f]{64}$/)).default([]),
    /** Remove a DVM's series after this long without events. */
    dvmIdleSeconds: positive.default(7 * 86_400),
    /** A targeted job with no feedback or result from its DVM within this is "unanswered". */
    answerTimeoutSeconds: positive.default(600),
    /** A heartbeating DVM whose newest beat is older than this is gone (Amethyst: 900 s). */
    heartbeatTimeoutSeconds: positive.default(900),
    /** A DVM with no result, feedback or beat for this long is `silent` (idle, not down). */
    dvmSilentSeconds: positive.default(3_600),
  })
  .strict();

export const clickhouseSchema = z
  .object({
    /** Store history at all (`--no-store` turns it off). */
    enabled: z.boolean().default(true),
    /** A ClickHouse server (http(s)://user:pass@host:8123/db); embedded chdb in dataDir when absent. */
    url: z.string().url().optional(),
    batchMaxRows: positive.default(1_000),
    flushIntervalMs: positive.default(1_000),
    /** Rows buffered before ingestion is slowed down. */
    maxQueuedRows: positive.default(50_000),
    /** The read-only SQL endpoint on the HTTP server, for `dvm-exporter sql`. */
    sqlEndpoint: z.boolean().default(true),
  })
  .strict();

export const tracingSchema = z
  .object({
    /** OTLP/HTTP traces endpoint; tracing is off when neither this nor OTEL_EXPORTER_OTLP_* is set. */
    otlpEndpoint: z.string().url().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    serviceName: z.string().min(1).default('dvm-exporter'),
  })
  .strict();

const secretKey = z.string().refine(isSecretKey, 'must be an nsec1… key or 64 hex digits');
const publicKey = z.string().refine(isPublicKey, 'must be an npub1… key or 64 hex digits');

export const notifySchema = z
  .object({
    /** The exporter's own key that signs the direct messages (nsec or hex); notifications are off without it (or with ''). */
    secretKey: z.union([z.literal(''), secretKey]).optional(),
    /** Who gets every alert (npub or hex). */
    recipients: z.array(publicKey).default([]),
    /** Where the messages are published; `ingest.relays` when empty. Recipients' kind 10050 relays are added. */
    relays: z.array(relayUrl).default([]),
    /** A DVM's alerts also go to its operator: DVM pubkey -> operator pubkey (npub or hex each). */
    subscriptions: z.record(publicKey, publicKey).default({}),
    /** Bearer token Alertmanager must send; without one (or with ''), only loopback clients may post. */
    webhookToken: z.union([z.literal(''), z.string().min(16, 'must be at least 16 characters')]).optional(),
    /** Grafana's address as the recipient opens it, for dashboard links. */
    grafanaUrl: z.string().url().default('http://localhost:3000'),
    /** Jaeger's (or Tempo's) UI address, for trace links. */
    traceUrl: z.string().url().default('http://localhost:16686'),
    /** Messages per recipient per hour; past it, messages are dropped and counted. */
    maxPerRecipientPerHour: positive.default(30),
    /** A notification already delivered is not sent again within this (Alertmanager retries). */
    dedupSeconds: positive.default(3_600),
    /** Delivery attempts per message and recipient, with doubling backoff from retryMinSeconds. */
    maxAttempts: positive.default(5),
    retryMinSeconds: z.number().positive().default(5),
    /** How long to wait for a relay's OK. */
    publishTimeoutSeconds: z.number().positive().default(10),
  })
  .strict();

export const probeModuleSchema = z
  .object({
    /** The job request kind (5000-5999). */
    kind: z.number().int().min(5000).max(5999),
    /** `i` tags: [value, type] or [value, type, relay, marker]. */
    inputs: z
      .array(z.array(z.string().max(1_000)).min(2).max(4))
      .max(10)
      .default([]),
    /** `param` tags: [name, value]. */
    params: z
      .array(z.tuple([z.string().max(100), z.string().max(1_000)]))
      .max(20)
      .default([]),
    /** Longest wait for the result; the probe fails past it. */
    timeoutSeconds: z.number().positive().max(300).default(30),
    /** Relays for this module; the probe's relays when empty. */
    relays: z.array(relayUrl).default([]),
  })
  .strict();

export const probeSchema = z
  .object({
    /** The key that signs canary requests (nsec or hex); `GET /probe` is off without it (or with ''). */
    secretKey: z.union([z.literal(''), secretKey]).optional(),
    /** Where canary requests go; `ingest.relays` when empty. The DVM's announced relays are added. */
    relays: z.array(relayUrl).default([]),
    /** A target is probed at most once per this many seconds; sooner asks get 429. */
    minIntervalSeconds: z.number().nonnegative().default(60),
    /** Probes running at once, over all targets; more get 429. */
    maxConcurrent: positive.default(4),
    /** Modules beside (or replacing) the built-in `text-generation` and `content-discovery`. Config file only. */
    modules: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'module names: a-z, 0-9, _ and -'),
        probeModuleSchema,
      )
      .default({}),
  })
  .strict();

/** pino's levels, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const configSchema = z
  .object({
    listen: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, 'must be HOST:PORT')
      .default(`0.0.0.0:${DEFAULT_PORT}`),
    dataDir: z.string().min(1).default('./data'),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    ingest: ingestSchema.default(ingestSchema.parse({})),
    pipeline: pipelineSchema.default(pipelineSchema.parse({})),
    jobs: jobsSchema.default(jobsSchema.parse({})),
    metrics: metricsSchema.default(metricsSchema.parse({})),
    clickhouse: clickhouseSchema.default(clickhouseSchema.parse({})),
    tracing: tracingSchema.default(tracingSchema.parse({})),
    notify: notifySchema.default(notifySchema.parse({})),
    probe: probeSchema.default(probeSchema.parse({})),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export const DEFAULT_CONFIG: Config = configSchema.parse({});
