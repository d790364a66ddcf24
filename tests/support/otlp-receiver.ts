import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/*
 * A real OTLP/HTTP JSON trace receiver on 127.0.0.1 for tests: it accepts what an OTLP exporter
 * actually sends to /v1/traces, decodes it into flat spans, and checks the wire format on the way
 * (hex ids of the right length, nanosecond times as decimal strings), recording any problem.
 */

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attrs = Record<string, AttrValue>;

export interface ReceivedEvent {
  readonly name: string;
  /** Nanoseconds since the epoch, exactly as sent. */
  readonly timeUnixNano: bigint;
  /** Seconds since the epoch (timeUnixNano / 1e9). */
  readonly time: number;
  readonly attributes: Attrs;
}

export interface ReceivedLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly attributes: Attrs;
}

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** Empty for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly startTimeUnixNano: bigint;
  readonly endTimeUnixNano: bigint;
  readonly start: number;
  readonly end: number;
  readonly attributes: Attrs;
  readonly events: readonly ReceivedEvent[];
  readonly links: readonly ReceivedLink[];
  readonly status: { readonly code: number; readonly message: string };
  readonly resource: Attrs;
  readonly scope: { readonly name: string; readonly version: string };
}

/** How the receiver answers export requests. */
export type ReceiverBehaviour =
  | { readonly kind: 'accept' }
  /** Answers with this HTTP status (e.g. 400 to refuse, 503 to ask for a retry). */
  | { readonly kind: 'status'; readonly status: number }
  /** Reads the request and never answers (a backend that hangs). */
  | { readonly kind: 'hang' };

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const NANOS = /^\d+$/;

function anyValue(value: OtlpAnyValue | undefined): AttrValue {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue !== undefined) return attrs(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return value.bytesValue;
  return null;
}

function attrs(list: OtlpKeyValue[] | undefined): Attrs {
  const out: Attrs = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export class OtlpReceiver {
  private readonly received: ReceivedSpan[] = [];
  private readonly waiting = new Set<ServerResponse>();
  /** Wire-format problems seen in what was sent (should stay empty). */
  readonly problems: string[] = [];
  /** Headers of every export request, in arrival order. */
  readonly requestHeaders: Record<string, string | string[] | undefined>[] = [];
  behaviour: ReceiverBehaviour = { kind: 'accept' };

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(behaviour: ReceiverBehaviour = { kind: 'accept' }): Promise<OtlpReceiver> {
    let receiver: OtlpReceiver | undefined;
    const server = createServer((req, res) => {
      receiver?.onRequest(req, res).catch((error: unknown) => {
        receiver?.problems.push(`handler: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver = new OtlpReceiver(server, (server.address() as AddressInfo).port);
    receiver.behaviour = behaviour;
    return receiver;
  }

  /** The traces endpoint, as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT would name it. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/v1/traces`;
  }

  /** The base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT would name it. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Export requests received (answered or not). */
  get requests(): number {
    return this.requestHeaders.length;
  }

  spans(): ReceivedSpan[] {
    return [...this.received];
  }

  clear(): void {
    this.received.length = 0;
  }

  /** Polls until at least `count` spans arrived; throws with what did arrive after the deadline. */
  async waitForSpans(count: number, timeoutMs = 10_000): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`expected ${count} spans, received ${this.received.length} before the deadline`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.spans();
  }

  async close(): Promise<void> {
    for (const res of this.waiting) res.destroy();
    this.waiting.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || req.url !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    this.requestHeaders.push({ ...req.headers });
    let body = await readBody(req);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    if (this.behaviour.kind === 'hang') {
      this.waiting.add(res);
      return;
    }
    if (this.behaviour.kind === 'status') {
      res.writeHead(this.behaviour.status, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    if (!String(req.headers['content-type']).startsWith('application/json')) {
      this.problems.push(`content-type ${req.headers['content-type']}`);
      res.writeHead(415).end();
      return;
    }
    this.decode(JSON.parse(body.toString('utf8')));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"partialSuccess":{}}');
  }

  // biome-ignore lint/suspicious/noExplicitAny: the OTLP JSON body is checked field by field here.
  private decode(request: any): void {
    for (const resourceSpans of request.resourceSpans ?? []) {
      const resource = attrs(resourceSpans.resource?.attributes);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        const scope = { name: scopeSpans.scope?.name ?? '', version: scopeSpans.scope?.version ?? '' };
        for (const span of scopeSpans.spans ?? []) this.received.push(this.decodeSpan(span, resource, scope));
      }
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: as above.
  private decodeSpan(span: any, resource: Attrs, scope: ReceivedSpan['scope']): ReceivedSpan {
    const check = (ok: boolean, what: string) => {
      if (!ok) this.problems.push(`${span.name}: ${what}`);
    };
    check(HEX32.test(span.traceId), `traceId ${span.traceId}`);
    check(HEX16.test(span.spanId), `spanId ${span.spanId}`);
    check(
      span.parentSpanId === undefined || HEX16.test(span.parentSpanId),
      `parentSpanId ${span.parentSpanId}`,
    );
    check(NANOS.test(span.startTimeUnixNano), `startTimeUnixNano ${span.startTimeUnixNano}`);
    check(NANOS.test(span.endTimeUnixNano), `endTimeUnixNano ${span.endTimeUnixNano}`);
    const startNanos = BigInt(span.startTimeUnixNano);
    const endNanos = BigInt(span.endTimeUnixNano);
    check(endNanos >= startNanos, 'ends before it starts');
    const toSeconds = (nanos: bigint) => Number(nanos) / 1e9;
    return {
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId ?? '',
      name: span.name,
      kind: span.kind,
      startTimeUnixNano: startNanos,
      endTimeUnixNano: endNanos,
      start: toSeconds(startNanos),
      end: toSeconds(endNanos),
      attributes: attrs(span.attributes),
      // biome-ignore lint/suspicious/noExplicitAny: as above.
      events: (span.events ?? []).map((event: any) => {
        check(NANOS.test(event.timeUnixNano), `event time ${event.timeUnixNano}`);
        const nanos = BigInt(event.timeUnixNano);
        return {
          name: event.name,
          timeUnixNano: nanos,
          time: toSeconds(nanos),
          attributes: attrs(event.attributes),
        };
      }),
      // biome-ignore lint/suspicious/noExplicitAny: as above.
      links: (span.links ?? []).map((link: any) => {
        check(HEX32.test(link.traceId) && HEX16.test(link.spanId), `link ${link.traceId}/${link.spanId}`);
        return { traceId: link.traceId, spanId: link.spanId, attributes: attrs(link.attributes) };
      }),
      status: { code: span.status?.code ?? 0, message: span.status?.message ?? '' },
      resource,
      scope,
    };
  }
}
