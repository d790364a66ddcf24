import WebSocket from 'ws';
import type { Clock } from '../../base/clock.js';

/** Why a connection ended; a bounded metric label. */
export const DISCONNECT_REASONS = [
  'closed',
  'error',
  'dead_socket',
  'connect_failed',
  'frame_too_large',
  'shutdown',
] as const;
export type DisconnectReason = (typeof DISCONNECT_REASONS)[number];

export interface SocketOptions {
  readonly connectTimeoutMs: number;
  /** Ping when the socket has been quiet this long. */
  readonly pingIntervalMs: number;
  /** Declare the socket dead when nothing at all (frames or pongs) arrived for this long. */
  readonly deadAfterMs: number;
  /** Largest frame accepted; a bigger one ends the connection (ws closes with 1009). */
  readonly maxFrameBytes: number;
  readonly clock: Clock;
}

export interface SocketHandlers {
  onOpen(): void;
  onMessage(text: string, bytes: number): void;
  /** Called exactly once per socket, however it ends. */
  onClose(reason: DisconnectReason, detail: string): void;
}

/**
 * One websocket connection to a relay: opening with a timeout, liveness (ping when quiet, give up when
 * nothing answers), pausing reads for backpressure, and a single close report. Reconnecting is the
 * caller's business: a RelaySocket is used once.
 */
export class RelaySocket {
  private readonly ws: WebSocket;
  private lastTraffic: number;
  private lastPing = 0;
  private lastCheck = 0;
  private timer: NodeJS.Timeout | null = null;
  private ended = false;
  private opened = false;

  constructor(
    readonly url: string,
    private readonly options: SocketOptions,
    private readonly handlers: SocketHandlers,
  ) {
    this.lastTraffic = options.clock.now();
    this.ws = new WebSocket(url, {
      maxPayload: options.maxFrameBytes,
      handshakeTimeout: options.connectTimeoutMs,
    });
    this.ws.on('open', () => {
      this.opened = true;
      this.touch();
      this.startLiveness();
      this.handlers.onOpen();
    });
    this.ws.on('message', (data: WebSocket.RawData) => {
      this.touch();
      const buffer = toBuffer(data);
      this.handlers.onMessage(buffer.toString('utf8'), buffer.length);
    });
    this.ws.on('pong', () => this.touch());
    this.ws.on('ping', () => this.touch());
    this.ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.end('frame_too_large', err.message);
      else this.end(this.opened ? 'error' : 'connect_failed', err.message);
    });
    this.ws.on('close', (code: number, reason: Buffer) => {
      this.end(
        'closed',
        `close code ${code}${reason.length ? `: ${reason.toString('utf8').slice(0, 200)}` : ''}`,
      );
    });
  }

  get open(): boolean {
    return !this.ended && this.ws.readyState === WebSocket.OPEN;
  }

  get paused(): boolean {
    return this.ws.isPaused;
  }

  /** Sends one NIP-01 message; false when the socket is not open. */
  send(message: readonly unknown[]): boolean {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Stops reading (backpressure). The relay's frames wait in the kernel and the relay's buffers. */
  pause(): void {
    if (this.open) this.ws.pause();
  }

  resume(): void {
    if (this.open && this.ws.isPaused) {
      // Time spent paused is not silence from the relay.
      this.touch();
      this.ws.resume();
    }
  }

  close(reason: DisconnectReason = 'shutdown', detail = 'closed by the exporter'): void {
    if (this.ended) return;
    if (this.ws.readyState === WebSocket.OPEN && !this.ws.isPaused) this.ws.close(1000);
    else this.ws.terminate();
    this.end(reason, detail);
  }

  private touch(): void {
    this.lastTraffic = this.options.clock.now();
  }

  private startLiveness(): void {
    const { pingIntervalMs, deadAfterMs } = this.options;
    const every = Math.max(50, Math.min(pingIntervalMs, deadAfterMs / 3));
    this.lastCheck = this.options.clock.now();
    this.timer = setInterval(() => this.checkLiveness(every), every);
    this.timer.unref();
  }

  private checkLiveness(everyMs: number): void {
    const now = this.options.clock.now();
    const sinceCheckMs = (now - this.lastCheck) * 1000;
    this.lastCheck = now;
    if (!this.open || this.ws.isPaused) return;
    // A late check means this process stalled (CPU, GC): frames that arrived meanwhile are still waiting
    // behind this timer, so the silence is ours, not the relay's. Judge again from now.
    if (sinceCheckMs > 2 * everyMs) {
      this.touch();
      return;
    }
    const quietMs = (now - this.lastTraffic) * 1000;
    if (quietMs >= this.options.deadAfterMs) {
      this.ws.terminate();
      this.end('dead_socket', `no frame and no pong for ${Math.round(quietMs / 1000)} s`);
      return;
    }
    if (
      quietMs >= this.options.pingIntervalMs &&
      (now - this.lastPing) * 1000 >= this.options.pingIntervalMs
    ) {
      this.lastPing = now;
      this.ws.ping();
    }
  }

  private end(reason: DisconnectReason, detail: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.ws.readyState !== WebSocket.CLOSED && this.ws.readyState !== WebSocket.CLOSING)
      this.ws.terminate();
    this.handlers.onClose(reason, detail);
  }
}

function toBuffer(data: WebSocket.RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
