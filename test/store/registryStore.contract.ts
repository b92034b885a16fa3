// The behaviour every RegistryStore must have. The SQLite store runs it today;
// another backend runs the same suite by passing its own factory.
import { describe, expect, it } from 'vitest';
import { deletionVariants, normalizeKey } from '../../src/domain/match.ts';
import type { ApproverGroup, RegionRule, Registry } from '../../src/domain/types.ts';
import type { RegistryStore } from '../../src/service/ports.ts';
import { parseRegistryYaml, readRegistryFile, registryToYaml } from '../../src/service/registryFile.ts';
import { REGISTRY_PATH } from '../helpers/tmp.ts';

const now = new Date('2026-11-01T00:00:00Z');

export function registryStoreContract(name: string, makeStore: () => RegistryStore): void {
  describe(`RegistryStore contract: ${name}`, () => {
    const registry = readRegistryFile(REGISTRY_PATH);

    it('imports the registry and reads every tool back unchanged', async () => {
      const store = makeStore();
      const s = await store.importRegistry(registry, { prune: false, actor: 'test', now });
      expect(s.added).toHaveLength(registry.tools.length);
      for (const t of registry.tools) expect(await store.getTool(t.id)).toEqual(t);
      const exported: Registry = await store.exportRegistry();
      expect(new Set(exported.tools.map((t) => t.id))).toEqual(new Set(registry.tools.map((t) => t.id)));
      expect(exported.approvalChains).toEqual(registry.approvalChains);
      expect(exported.regions).toEqual(registry.regions);
      store.close();
    });

    it("lists the regions in the file's order, and none before an import", async () => {
      const store = makeStore();
      expect(await store.regions()).toEqual([]);
      await store.importRegistry(registry, { prune: false, actor: 'test', now });
      expect(await store.regions()).toEqual(registry.regions);
      await store.importRegistry(
        { ...registry, regions: [...registry.regions].reverse() },
        {
          prune: false,
          actor: 'test',
          now,
        },
      );
      expect(await store.regions()).toEqual([...registry.regions].reverse());
      store.close();
    });

    it('importing twice changes nothing the second time', async () => {
      const store = makeStore();
      await store.importRegistry(registry, { prune: false, actor: 'test', now });
      const again = await store.importRegistry(registry, { prune: false, actor: 'test', now });
      expect(again).toEqual({ added: [], updated: [], unchanged: registry.tools.length, removed: [], kept: [] });
      store.close();
    });

    it('notices a change anywhere in a tool, down to its region rules and data facts', async () => {
      const store = makeStore();
      await store.importRegistry(registry, { prune: false, actor: 'test', now });
      const edit = (fn: (t: Registry['tools'][number]) => Registry['tools'][number]) => ({
        ...registry,
        tools: registry.tools.map((t) => (t.id === 'claude-code' ? fn(t) : t)),
      });
      const regional = edit((t) => ({ ...t, regions: { ...t.regions, cn: { ...t.regions.cn, status: 'approved' } } }));
      expect((await store.importRegistry(regional, { prune: false, actor: 'test', now })).updated).toEqual([
        'claude-code',
      ]);
      expect((await store.getTool('claude-code'))?.regions.cn?.status).toBe('approved');
      const data = edit((t) => ({
        ...t,
        regions: regional.tools.find((x) => x.id === 'claude-code')?.regions ?? {},
        data: { ...t.data, trains_on_inputs: true },
      }));
      expect((await store.importRegistry(data, { prune: false, actor: 'test', now })).updated).toEqual(['claude-code']);
      expect((await store.getTool('claude-code'))?.data.trains_on_inputs).toBe(true);
      store.close();
    });

    it('leaves tools missing from the file alone unless pruning', async () => {
      const store = makeStore();
      await store.importRegistry(registry, { prune: false, actor: 'test', now });
      const smaller = {
        ...registry,
        tools: registry.tools
          .filter((t) => t.id !== 'wetransfer')
          .map((t) => ({ ...t, alternatives: t.alternatives.filter((a) => a !== 'wetransfer') })),
      };
      expect((await store.importRegistry(smaller, { prune: false, actor: 'test', now })).removed).toEqual([]);
      expect(await store.getTool('wetransfer')).not.toBeNull();
      expect((await store.importRegistry(smaller, { prune: true, actor: 'test', now })).removed).toEqual([
        'wetransfer',
      ]);
      expect(await store.getTool('wetransfer')).toBeNull();
      expect(await store.findKeyHits('wetransfer', deletionVariants('wetransfer'))).toEqual([]);
      store.close();
    });

    it('finds tools by exact key, typo variant and prefix', async () => {
      const store = makeStore();
      await store.importRegistry(registry, { prune: false, actor: 'test', now });
      const key = normalizeKey('claud code');
      const hits = await store.findKeyHits(key, deletionVariants(key));
      expect(hits.map((h) => h.id)).toContain('claude-code');
      const prefix = await store.findKeyHits('clau', deletionVariants('clau'));
      expect(new Set(prefix.map((h) => h.id))).toEqual(new Set(['claude', 'claude-code']));
      store.close();
    });

    it('knows people, approver groups, chains and admins', async () => {
      const store = makeStore();
      await store.importRegistry(registry, { prune: false, actor: 'test', now });
      const alice = registry.people.find((p) => p.user === 'U0ALICE');
      expect(await store.getPerson('U0ALICE')).toEqual(alice);
      expect(await store.getPerson('U0NOBODY')).toBeNull();
      expect(await store.approvalChain('high')).toEqual(registry.approvalChains.high);
      const security = registry.approverGroups.find((g) => g.id === 'security');
      expect(await store.approverGroup('security')).toEqual({
        ...security,
        members: [...(security?.members ?? [])].sort(),
      });
      expect(await store.admins()).toEqual([...registry.admins].sort());
      store.close();
    });

    it('keeps region rules in order, and approver groups with their user group and backup (issue 13)', async () => {
      const store = makeStore();
      const groups: ApproverGroup[] = [
        ...registry.approverGroups.map((g) =>
          g.id === 'security' ? { ...g, usergroup: 'S0SECGRP', backup: 'security-backup' } : g,
        ),
        {
          id: 'security-backup',
          name: 'Security backup',
          channel: 'C0SECBAK',
          members: [],
          usergroup: '@sec-bak',
          backup: null,
        },
      ];
      const regionRules: RegionRule[] = [
        {
          match: { kind: 'field', field: 'Office', values: ['Hangzhou', 'Beijing'] },
          region: 'cn',
          department: null,
          departmentField: null,
        },
        { match: { kind: 'tz', zones: ['Asia/Shanghai'] }, region: 'cn', department: 'ops', departmentField: null },
        {
          match: { kind: 'email_domain', domains: ['example.cn'] },
          region: 'cn',
          department: null,
          departmentField: null,
        },
        {
          match: { kind: 'team', teams: ['T0CHINA', 'T0CHINA2'] },
          region: 'cn',
          department: null,
          departmentField: 'Department',
        },
      ];
      const withDirectory: Registry = { ...registry, approverGroups: groups, regionRules };
      await store.importRegistry(withDirectory, { prune: false, actor: 'test', now });
      expect(await store.regionRules()).toEqual(regionRules);
      expect(await store.approverGroup('security')).toMatchObject({ usergroup: 'S0SECGRP', backup: 'security-backup' });
      expect(await store.approverGroup('security-backup')).toEqual(groups.at(-1));
      const exported = await store.exportRegistry();
      expect(exported.regionRules).toEqual(regionRules);
      const byId = (list: ApproverGroup[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
      expect(byId(exported.approverGroups)).toEqual(
        byId(groups.map((g) => ({ ...g, members: [...g.members].sort() }))),
      );
      // The export, written as a file, reads back to the same registry.
      expect(parseRegistryYaml(registryToYaml(exported))).toEqual({ ok: true, registry: exported });
      // The file replaces them whole: without rules and user groups, none are left.
      await store.importRegistry({ ...registry, regionRules: [] }, { prune: false, actor: 'test', now });
      expect(await store.regionRules()).toEqual([]);
      expect(await store.approverGroup('security')).toMatchObject({ usergroup: null, backup: null });
      expect(await store.approverGroup('security-backup')).toBeNull();
      store.close();
    });

    it('lists tools with the status their region sees', async () => {
      const store = makeStore();
      await store.importRegistry(registry, { prune: false, actor: 'test', now });
      const global = await store.listTools('global', null, 1000);
      const cn = await store.listTools('cn', null, 1000);
      expect(global.total).toBe(registry.tools.length);
      expect(global.tools.find((t) => t.id === 'claude-code')?.status).toBe('exception_required');
      expect(cn.tools.find((t) => t.id === 'claude-code')?.status).toBe('prohibited');
      const coding = await store.listTools('global', 'ai-coding-assistant', 3);
      expect(coding.tools).toHaveLength(3);
      expect(coding.tools.every((t) => t.category === 'ai-coding-assistant')).toBe(true);
      store.close();
    });
  });
}
