// What the use cases need from the outside world. The SQLite store implements
// these today; another backend only has to pass the same contract tests.
import type { KeyHit } from '../domain/match.ts';
import type { ApproverGroup, Person, Registry, RiskClass, Tool, ToolRef, ToolStatus } from '../domain/types.ts';

export interface ToolListing extends ToolRef {
  category: string;
  /** Status as seen from the region asked about. */
  status: ToolStatus;
}

export interface ImportSummary {
  added: string[];
  updated: string[];
  unchanged: number;
  removed: string[];
  /** Tools --prune would have removed but that are still referenced (e.g. by exception requests). */
  kept: string[];
}

export interface RegistryStore {
  /** Keys equal to, one deletion away from, or starting with `key`. */
  findKeyHits(key: string, variants: readonly string[]): Promise<KeyHit[]>;
  getTool(id: string): Promise<Tool | null>;
  toolRefs(ids: readonly string[]): Promise<ToolRef[]>;
  listTools(region: string, category: string | null, limit: number): Promise<{ tools: ToolListing[]; total: number }>;
  categories(): Promise<Array<{ category: string; count: number }>>;
  getPerson(user: string): Promise<Person | null>;
  approverGroup(id: string): Promise<ApproverGroup | null>;
  approvalChain(risk: RiskClass): Promise<string[]>;
  admins(): Promise<string[]>;
  reviewChannel(): Promise<string | null>;
  toolCount(): Promise<number>;
  /** Replace the registry's settings and upsert its tools, atomically. */
  importRegistry(registry: Registry, options: { prune: boolean; actor: string; now: Date }): Promise<ImportSummary>;
  exportRegistry(): Promise<Registry>;
  ping(): Promise<boolean>;
  close(): void;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
