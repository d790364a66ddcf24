import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { VerifierKind } from '../model/verify.js';
import type { VerifyReply, VerifyRequest } from './protocol.js';

interface Outstanding {
  readonly resolve: (verdicts: Uint8Array) => void;
  readonly reject: (error: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  readonly outstanding: Map<number, Outstanding>;
  alive: boolean;
}

/**
 * Worker threads that check signatures, each with its own copy of the verifier. Batches go to the
 * thread with the fewest outstanding; a thread that dies fails its batches (the caller verifies them
 * itself) and gets no more.
 */
export class VerifyPool {
  private seq = 0;
  private closed = false;

  private constructor(
    private readonly threads: Thread[],
    readonly kind: VerifierKind,
  ) {}

  /** Starts `size` threads running the `kind` verifier; resolves once every one has loaded it. */
  static async start(kind: VerifierKind, size: number): Promise<VerifyPool> {
    const threads: Thread[] = [];
    try {
      for (let i = 0; i < size; i++) threads.push(await startThread(kind));
    } catch (error) {
      await Promise.all(threads.map((t) => t.worker.terminate()));
      throw error;
    }
    const pool = new VerifyPool(threads, kind);
    for (const thread of threads) pool.watch(thread);
    return pool;
  }

  get size(): number {
    return this.threads.filter((t) => t.alive).length;
  }

  /** Verdict codes for a batch (see protocol.ts); rejects when no thread can take it. */
  verify(data: Uint8Array, count: number): Promise<Uint8Array> {
    let best: Thread | undefined;
    for (const thread of this.threads) {
      if (thread.alive && (!best || thread.outstanding.size < best.outstanding.size)) best = thread;
    }
    if (!best || this.closed) return Promise.reject(new Error('no verifying thread is running'));
    const target = best;
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      target.outstanding.set(seq, { resolve, reject });
      const request: VerifyRequest = { seq, count, data };
      target.worker.postMessage(request, [data.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private watch(thread: Thread): void {
    thread.worker.on('message', (reply: VerifyReply) => {
      const waiting = thread.outstanding.get(reply.seq);
      if (!waiting) return;
      thread.outstanding.delete(reply.seq);
      waiting.resolve(reply.verdicts);
    });
    const fail = (error: Error) => {
      thread.alive = false;
      for (const waiting of thread.outstanding.values()) waiting.reject(error);
      thread.outstanding.clear();
    };
    thread.worker.on('error', fail);
    thread.worker.on('exit', (code) => fail(new Error(`verifying thread exited with code ${code}`)));
  }
}

/**
 * The compiled worker beside this module; from the TypeScript sources (tests, tsx), the .ts file with
 * tsx's loader registered inside the thread first (loader hooks are per thread).
 */
function newWorker(kind: VerifierKind): Worker {
  const built = new URL('./verify-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return new Worker(built, { workerData: { kind } });
  const source = new URL('./verify-worker.ts', import.meta.url).href;
  // tsx's ESM API (its `--import` entry registers only on the main thread).
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = pathToFileURL(join(tsxRoot, 'dist', 'esm', 'api', 'index.mjs')).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { eval: true, workerData: { kind } });
}

function startThread(kind: VerifierKind): Promise<Thread> {
  const worker = newWorker(kind);
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    const onExit = (code: number) => reject(new Error(`verifying thread exited with code ${code} at start`));
    worker.once('error', onError);
    worker.once('exit', onExit);
    worker.once('message', () => {
      worker.off('error', onError);
      worker.off('exit', onExit);
      // Idle threads must not keep a finished process alive.
      worker.unref();
      resolve({ worker, outstanding: new Map(), alive: true });
    });
  });
}
