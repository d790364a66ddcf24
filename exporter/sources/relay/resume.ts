/**
 * A relay's resume point, as pure state. `frontier` is the newest created_at of an event from the relay
 * that the pipeline took (accepted or duplicate). It becomes the resume point only while the relay is
 * caught up (every live REQ backfilled), reads are not paused (frames may wait unread), nothing older is
 * still queued, and nothing shed is waiting for its repair.
 */
export class ResumePoint {
  private frontier: number | null;
  private point: number | null;
  /** Oldest created_at shed since the last completed repair. */
  private shedFloor: number | null = null;
  private repairDue = false;

  constructor(
    saved: number | null,
    private readonly safetySeconds: number,
    private readonly initialBackfillSeconds: number,
  ) {
    this.frontier = saved;
    this.point = saved;
  }

  /** The pipeline took an event; `now` bounds a created_at from the future. */
  took(createdAt: number, now: number): void {
    const bounded = Math.min(createdAt, Math.floor(now));
    if (this.frontier === null || bounded > this.frontier) this.frontier = bounded;
  }

  shed(createdAt: number | null): void {
    if (createdAt !== null && (this.shedFloor === null || createdAt < this.shedFloor))
      this.shedFloor = createdAt;
    this.repairDue = true;
  }

  /** True once after shedding: the caller re-subscribes from `since()`, which reaches below the floor. */
  takeRepair(): boolean {
    const due = this.repairDue;
    this.repairDue = false;
    return due;
  }

  update(state: { caughtUp: boolean; paused: boolean; oldestQueued: number | null }): void {
    if (!state.caughtUp || state.paused || this.frontier === null) return;
    let point = this.frontier;
    if (state.oldestQueued !== null) point = Math.min(point, state.oldestQueued - 1);
    if (this.shedFloor !== null) {
      if (this.repairDue) point = Math.min(point, this.shedFloor - 1);
      else this.shedFloor = null; // caught up after the repair: what was shed has been read again
    }
    if (this.point === null || point > this.point || this.shedFloor !== null) this.point = point;
  }

  /** `since` for a new REQ: the resume point (or the initial window) minus the safety margin. */
  since(now: number): number {
    const base = this.point ?? Math.floor(now) - this.initialBackfillSeconds;
    const floor = this.shedFloor === null ? base : Math.min(base, this.shedFloor);
    return Math.max(0, floor - this.safetySeconds);
  }

  get value(): number | null {
    return this.point;
  }

  get newest(): number | null {
    return this.frontier;
  }

  get shedFrom(): number | null {
    return this.shedFloor;
  }
}
