// The Slack user groups the approver groups name, in the playground: the shipped registry lists
// approvers by hand (its tests' stand-in has no user groups), so the playground's bot is given it
// with the example company's user groups in their place, and the page lets a person change who is
// in them, as the identity provider would. Slack then sends subteam_members_changed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Registry } from '../domain/types.ts';
import { readRegistryFile, registryToYaml } from '../service/registryFile.ts';
import type { ExampleUsergroup, StoredUsergroup } from '../standIn/index.ts';

const sameMembers = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((m) => b.includes(m));

/**
 * Each approver group the example company keeps as a Slack user group (same id, same members by
 * hand, no `usergroup` yet) names that group instead of its members, so who may approve follows
 * the user group alone: removing someone from it takes their say away.
 */
export function linkExampleUsergroups(registry: Registry, usergroups: readonly ExampleUsergroup[]): Registry {
  return {
    ...registry,
    approverGroups: registry.approverGroups.map((group) => {
      const example = usergroups.find((u) => u.approverGroup === group.id);
      if (!example || group.usergroup !== null || !sameMembers(group.members, example.users)) return group;
      return { ...group, members: [], usergroup: example.id };
    }),
  };
}

/**
 * The registry the playground's bot imports into an empty database: the one at `path`, its
 * approver groups linked to the example's user groups, in a file of its own (removed by
 * `cleanup`). A registry that does not read, or has nothing to link, is left for the bot as it is.
 */
export function playgroundRegistryFile(
  path: string,
  usergroups: readonly ExampleUsergroup[],
): { path: string; cleanup: () => void } {
  let registry: Registry;
  try {
    registry = readRegistryFile(path);
  } catch {
    return { path, cleanup: () => undefined }; // the bot says what is wrong with it, as without the playground
  }
  const linked = linkExampleUsergroups(registry, usergroups);
  if (linked.approverGroups.every((g, i) => g === registry.approverGroups[i]))
    return { path, cleanup: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'toolgate-playground-registry-'));
  const file = join(dir, 'registry.yml');
  writeFileSync(file, registryToYaml(linked));
  return { path: file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A user group as the page shows it: who is in it, and which approver groups it makes. */
export interface PlaygroundUsergroup {
  id: string;
  handle: string;
  name: string;
  /** The registry's approver groups that name it (their display names). */
  approverGroups: string[];
  members: string[];
}

/** The stand-in's user groups that the registry's approver groups name (by id or @handle), as they are now. */
export function namedUsergroups(registry: Registry, groups: readonly StoredUsergroup[]): PlaygroundUsergroup[] {
  const out: PlaygroundUsergroup[] = [];
  for (const group of groups) {
    const naming = registry.approverGroups.filter(
      (g) => g.usergroup === group.id || g.usergroup === `@${group.handle}`,
    );
    if (naming.length === 0) continue;
    out.push({
      id: group.id,
      handle: group.handle,
      name: group.name,
      approverGroups: naming.map((g) => g.name),
      members: [...group.users],
    });
  }
  return out;
}

/** The registry with each approver group's user group members added to its `members`: who the picker calls approvers. */
export function withUsergroupMembers(registry: Registry, groups: readonly PlaygroundUsergroup[]): Registry {
  return {
    ...registry,
    approverGroups: registry.approverGroups.map((g) => {
      const named = groups.find((u) => u.id === g.usergroup || `@${u.handle}` === g.usergroup);
      return named ? { ...g, members: [...new Set([...g.members, ...named.members])] } : g;
    }),
  };
}
