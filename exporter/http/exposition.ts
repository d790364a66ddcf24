import { Registry } from 'prom-client';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const CONTENT_TYPES: Readonly<Record<ExpositionFormat, string>> = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/**
 * Picks the format from an Accept header by q-value: OpenMetrics (which carries exemplars) when the
 * scraper prefers it, as Prometheus does; the classic text format otherwise.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'prometheus';
  let best: { format: ExpositionFormat; q: number } = { format: 'prometheus', q: 0 };
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const format: ExpositionFormat | null =
      type === 'application/openmetrics-text'
        ? 'openmetrics'
        : type === 'text/plain' || type === '*/*' || type === 'text/*'
          ? 'prometheus'
          : null;
    if (
      format &&
      (q > best.q || (q === best.q && format === 'openmetrics' && best.format !== 'openmetrics'))
    ) {
      best = { format, q };
    }
  }
  return best.format;
}

interface NamedMetric {
  name: string;
  readonly type?: string;
}

/**
 * Renders the shared registry in either format. prom-client keeps the format on the registry and, when
 * rendering OpenMetrics, strips `_total` from counter names in place (which would then be missing from
 * the classic format). So renders run one at a time: counter names are put back as registered,
 * the format is set for this render only, and the registry's own setting is put back afterwards.
 */
export class MetricsRenderer {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly names = new WeakMap<object, string>();

  constructor(private readonly registry: Registry) {}

  render(format: ExpositionFormat): Promise<string> {
    const run = this.queue.then(() => this.renderNow(format));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async renderNow(format: ExpositionFormat): Promise<string> {
    const registry = this.registry;
    const original = registry.contentType;
    this.restoreCounterNames();
    registry.setContentType(CONTENT_TYPES[format] as typeof original);
    try {
      return await registry.metrics();
    } finally {
      this.restoreCounterNames();
      registry.setContentType(original);
    }
  }

  /** Puts back each counter's name as first seen here (before any OpenMetrics render stripped it). */
  private restoreCounterNames(): void {
    for (const metric of this.registry.getMetricsAsArray() as unknown as NamedMetric[]) {
      if (metric.type !== 'counter') continue;
      const name = this.names.get(metric);
      if (name === undefined) this.names.set(metric, metric.name);
      else metric.name = name;
    }
  }
}
