import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { exposition } from './exposition.js';

/** The `/metrics` endpoint: the registry in the format the scraper's `Accept` header prefers. */
export function metricsHandler(registry: Registry): RequestHandler {
  return async (req, res) => {
    const { contentType, body } = await exposition(registry, req.get('accept'));
    res.set('Content-Type', contentType).set('Vary', 'Accept').send(body);
  };
}
