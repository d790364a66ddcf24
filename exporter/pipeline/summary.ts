import { ROLES, type Role } from '../model/dvm-event.js';
import type { IngestOutcome, RejectReason } from '../model/reasons.js';

/**
 * Running totals of what the pipeline was offered and what became of it. Its JSON form is the
 * `replay --json` summary, a shape outside tools rely on:
 * `{"read","accepted","duplicates","rejected":{reason:n},"roles":{role:n},"jobs"}`.
 */
export interface IngestSummary {
  read: number;
  accepted: number;
  duplicates: number;
  rejected: Partial<Record<RejectReason, number>>;
  roles: Record<Role, number>;
  jobs: number;
}

export class SummaryCounter {
  private read = 0;
  private accepted = 0;
  private duplicates = 0;
  private readonly rejected = new Map<RejectReason, number>();
  private readonly roles = new Map<Role, number>(ROLES.map((role) => [role, 0]));

  record(outcome: IngestOutcome): void {
    this.read++;
    switch (outcome.status) {
      case 'accepted':
        this.accepted++;
        this.roles.set(outcome.role, (this.roles.get(outcome.role) ?? 0) + 1);
        break;
      case 'duplicate':
        this.duplicates++;
        break;
      case 'rejected':
        this.rejected.set(outcome.reason, (this.rejected.get(outcome.reason) ?? 0) + 1);
        break;
    }
  }

  rejectedBy(reason: RejectReason): number {
    return this.rejected.get(reason) ?? 0;
  }

  snapshot(jobs: number): IngestSummary {
    const rejected: Partial<Record<RejectReason, number>> = {};
    for (const [reason, n] of [...this.rejected].sort(([a], [b]) => a.localeCompare(b))) rejected[reason] = n;
    return {
      read: this.read,
      accepted: this.accepted,
      duplicates: this.duplicates,
      rejected,
      roles: Object.fromEntries(this.roles) as Record<Role, number>,
      jobs,
    };
  }
}
