/**
 * Ids of events accepted inside the window that a restart reads again (resume point minus the safety
 * margin), saved with the cursors. After a restart the new process has an empty dedup memory; these ids
 * let it recognise the re-read copies as already counted instead of counting them twice.
 */
export class RecentIds {
  /** Insertion order is acceptance order, so the cap drops the oldest first. */
  private readonly accepted = new Map<string, number>();
  private readonly prior: ReadonlyMap<string, number>;

  constructor(
    prior: ReadonlyMap<string, number>,
    private readonly capacity: number,
  ) {
    this.prior = prior;
    for (const [id, createdAt] of prior) this.add(id, createdAt);
  }

  /** Accepted by the process that saved them: a copy now is a duplicate, without a second look. */
  acceptedBefore(id: unknown): boolean {
    return typeof id === 'string' && this.prior.has(id);
  }

  add(id: string, createdAt: number): void {
    this.accepted.set(id, createdAt);
    if (this.accepted.size > this.capacity) {
      const oldest = this.accepted.keys().next().value;
      if (oldest !== undefined) this.accepted.delete(oldest);
    }
  }

  /** The ids to save: those created at or after `floor` (older ones will not be read again). */
  snapshot(floor: number): Map<string, number> {
    for (const [id, createdAt] of this.accepted) if (createdAt < floor) this.accepted.delete(id);
    return new Map(this.accepted);
  }

  get size(): number {
    return this.accepted.size;
  }
}
