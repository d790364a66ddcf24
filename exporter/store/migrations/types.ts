/**
 * One schema step. Statements run in order and must each be idempotent (IF NOT EXISTS, CREATE OR
 * REPLACE), so a start-up interrupted half-way through a migration simply runs it again.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}
