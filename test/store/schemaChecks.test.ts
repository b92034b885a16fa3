// The SQL CHECK constraints and the domain's lists name the same values: a status added to one
// and not the other would be refused by the database, or read back as garbage.
import { describe, expect, it } from 'vitest';
import { DATA_CLASSES, REFRESHED_DMS, REQUEST_STATUSES, STAGE_STATUSES } from '../../src/domain/exceptions.ts';
import { QUERY_OUTCOMES } from '../../src/domain/report.ts';
import { REVIEW_STATUSES } from '../../src/domain/review.ts';
import { HISTORY_SOURCES } from '../../src/domain/toolHistory.ts';
import { KEY_KINDS, REGION_RULE_KINDS, RISK_CLASSES, TOOL_STATUSES } from '../../src/domain/types.ts';
import { openDatabase } from '../../src/store/sqlite/db.ts';
import { KEPT_PART_KINDS } from '../../src/store/sqlite/registrySnapshot.ts';

const DOMAIN_LISTS: Record<string, readonly string[]> = {
  'tools.risk': RISK_CLASSES,
  'tools.status': TOOL_STATUSES,
  'tool_regions.status': TOOL_STATUSES,
  'tool_keys.kind': KEY_KINDS,
  'approval_chains.risk': RISK_CLASSES,
  'exception_requests.data_class': DATA_CLASSES,
  'exception_requests.status': REQUEST_STATUSES,
  'request_stages.status': STAGE_STATUSES,
  'request_dms.event': REFRESHED_DMS,
  'region_rules.kind': REGION_RULE_KINDS,
  'query_log.outcome': QUERY_OUTCOMES,
  'tool_reviews.status': REVIEW_STATUSES,
  'tool_review_askers.data_class': DATA_CLASSES,
  'tool_history.source': HISTORY_SOURCES,
  'kept_registry_parts.kind': KEPT_PART_KINDS,
};

/** Every `column ... CHECK (column IN ('a', 'b'))` of every table, as the migrated database has it. */
function checkLists(): Record<string, string[]> {
  const db = openDatabase(':memory:');
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL")
    .all() as Array<{ name: string; sql: string }>;
  db.close();
  const found: Record<string, string[]> = {};
  for (const { name, sql } of tables) {
    for (const m of sql.matchAll(/CHECK \((\w+) IN \(([^)]*)\)\)/g)) {
      found[`${name}.${m[1]}`] = [...(m[2] ?? '').matchAll(/'([^']*)'/g)].map((v) => v[1] ?? '');
    }
  }
  return found;
}

describe('the schema and the domain', () => {
  it('every CHECK list in the database is one of the domain lists, value for value', () => {
    const found = checkLists();
    expect(Object.keys(found).sort()).toEqual(Object.keys(DOMAIN_LISTS).sort());
    for (const [column, values] of Object.entries(found)) {
      expect([...values].sort(), column).toEqual([...(DOMAIN_LISTS[column] ?? [])].sort());
    }
  });
});
