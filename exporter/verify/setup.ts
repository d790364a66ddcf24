import type { Logger } from '../base/logger.js';
import type { Config } from '../config/schema.js';
import { createVerifier, type EventVerifier } from '../model/verify.js';
import { VerifyPool } from './verify-pool.js';

export interface Verification {
  /** The verifier of the main thread; the pool's threads run the same kind. */
  readonly verifier: EventVerifier;
  /** Verifying threads, or null when configured off (or they could not start: the main thread verifies). */
  readonly pool: VerifyPool | null;
}

export interface VerificationOptions {
  /** Verifying threads to start; the configured number by default. */
  readonly threads?: number;
  /** The level of the line naming the verifier: `run` announces it; `replay` keeps stderr for its summary. */
  readonly announceAt?: 'info' | 'debug';
}

/**
 * Picks the signature verifier the configuration asks for (native libsecp256k1 when its addon loads,
 * else nostr-wasm), starts its worker threads, and says in the log which one runs and where.
 */
export async function startVerification(
  config: Config['pipeline'],
  logger: Logger,
  { threads = config.verifyThreads, announceAt = 'info' }: VerificationOptions = {},
): Promise<Verification> {
  const verifier = await createVerifier(config.verifier);
  if (verifier.fallbackReason !== undefined) {
    logger.warn(
      { verifier: verifier.name, reason: verifier.fallbackReason },
      'native verifier not loaded: using nostr-wasm',
    );
  }
  let pool: VerifyPool | null = null;
  if (threads > 0) {
    try {
      pool = await VerifyPool.start(verifier.kind, threads);
    } catch (err) {
      logger.warn({ err }, 'verifying threads did not start: verifying on the main thread');
    }
  }
  logger[announceAt]({ verifier: verifier.name, threads: pool?.size ?? 0 }, 'signature verifier');
  return { verifier, pool };
}
