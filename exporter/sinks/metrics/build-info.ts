import { Gauge, type Registry } from 'prom-client';
import { VERSION } from '../../base/version.js';
import { METRIC } from './names.js';

export interface BuildInfo {
  readonly version: string;
  /** Source revision, from DVM_EXPORTER_REVISION (set by the image build); `unknown` otherwise. */
  readonly revision: string;
  readonly nodejs_version: string;
  /** The signature verifier that runs: `bcrypto-libsecp256k1` (native) or `nostr-wasm` (the fallback). */
  readonly verifier: string;
}

export function currentBuildInfo(verifier: string, env: NodeJS.ProcessEnv = process.env): BuildInfo {
  return {
    version: VERSION,
    revision: env.DVM_EXPORTER_REVISION?.trim() || 'unknown',
    nodejs_version: process.version,
    verifier,
  };
}

/** `dvm_exporter_build_info{version,revision,nodejs_version,verifier} 1`. */
export function registerBuildInfo(registry: Registry, info: BuildInfo): void {
  const gauge = new Gauge({
    name: METRIC.buildInfo,
    help: 'Build of the running exporter; always 1.',
    labelNames: ['version', 'revision', 'nodejs_version', 'verifier'] as const,
    registers: [registry],
  });
  gauge.set({ ...info }, 1);
}
