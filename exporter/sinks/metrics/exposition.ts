import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Registry } from 'prom-client';

/**
 * The `/metrics` exposition in either format, chosen by content negotiation: Prometheus text 0.0.4, or
 * OpenMetrics 1.0.0 (which alone carries exemplars; Prometheus asks for it first when scraping).
 *
 * The registry is rendered through a scratch renderer rather than by switching its content type:
 * prom-client's OpenMetrics path renames counters in place (drops `_total`), which would leak into any
 * text-format scrape running at the same moment.
 */

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;

export interface Exposition {
  readonly contentType: string;
  readonly body: string;
}

interface MetricData {
  readonly name: string;
  readonly type: string;
}

interface Renderable {
  get(): Promise<MetricData>;
  getForPromString?(): Promise<MetricData>;
}

/** prom-client's per-metric renderer (present on every Registry, absent from its type definitions). */
interface MetricRenderer {
  getMetricsAsString(metric: Renderable): Promise<string>;
}

/** OpenMetrics when the client ranks it at least as high as the text format; text otherwise. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (!accept) return 'prometheus';
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number.parseFloat(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text ? 'openmetrics' : 'prometheus';
}

/** Renders the registry for a request's `Accept` header. */
export async function exposition(registry: Registry, accept?: string): Promise<Exposition> {
  const format = negotiateFormat(accept);
  return { contentType: contentTypeOf(format), body: await render(registry, format) };
}

export function contentTypeOf(format: ExpositionFormat): string {
  return format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
}

export async function render(registry: Registry, format: ExpositionFormat): Promise<string> {
  // The constructor takes the content type at run time; the type definitions omit the parameter.
  const Renderer = Registry as unknown as new (contentType: string) => MetricRenderer;
  const renderer = new Renderer(contentTypeOf(format));
  const metrics = registry.getMetricsAsArray() as unknown as Renderable[];
  const parts = await Promise.all(
    metrics.map((metric) =>
      renderer.getMetricsAsString(format === 'openmetrics' ? openMetricsView(metric) : metric),
    ),
  );
  if (format === 'prometheus') return parts.length === 0 ? '' : `${parts.join('\n\n')}\n`;
  return parts.length === 0 ? '# EOF\n' : `${parts.join('\n')}\n# EOF\n`;
}

/** OpenMetrics names a counter family without `_total`; the renderer adds it back to each sample. */
function openMetricsView(metric: Renderable): Renderable {
  return {
    get: async () => {
      const data = metric.getForPromString ? await metric.getForPromString() : await metric.get();
      return data.type === 'counter' ? { ...data, name: data.name.replace(/_total$/, '') } : data;
    },
  };
}

/**
 * Writes the registry in Prometheus text format to `path` (`replay --metrics-out`), atomically: the
 * file is either the previous one or the complete new exposition.
 */
export async function writeMetricsFile(registry: Registry, path: string): Promise<void> {
  const body = await render(registry, 'prometheus');
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(partial, body, 'utf8');
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
