// The behaviour every ExceptionStore/OutboxStore/AuditStore must have, whatever the database.
import { describe, expect, it } from 'vitest';
import { refusalFor, type RequestDraft } from '../../src/domain/exceptions.ts';
import { RegistryConflictError } from '../../src/errors.ts';
import type { Store } from '../../src/service/ports.ts';
import { readRegistryFile } from '../../src/service/registryFile.ts';
import { REGISTRY_PATH } from '../helpers/tmp.ts';

const t0 = new Date('2026-11-01T09:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);

const draft = (over: Partial<RequestDraft> = {}): RequestDraft => ({
  toolId: 'claude-code',
  requester: 'U0BOB',
  region: 'global',
  department: 'engineering',
  justification: 'Needed for the open-source SDK work, nothing confidential.',
  usage: 'github.com/acme/sdk',
  dataClass: 'internal',
  durationDays: 30,
  renewalOf: null,
  ...over,
});

const allow = () => null;
const verdict = { status: 'exception_required' as const, label: 'Exception required' };

export function exceptionStoreContract(name: string, makeStore: () => Store): void {
  describe(`ExceptionStore contract: ${name}`, () => {
    const open = async () => {
      const store = makeStore();
      await store.importRegistry(readRegistryFile(REGISTRY_PATH), { prune: false, actor: 'test', now: t0 });
      return store;
    };
    const auditCount = async (store: Store) => (await store.auditEntries(null)).length;

    it('files a request with its stages, audit entry and messages in one step', async () => {
      const store = await open();
      const before = await auditCount(store);
      const r = await store.fileRequest(draft(), ['security', 'legal'], allow, t0);
      expect(r).toMatchObject({ ok: true, request: { id: 1, status: 'pending' } });
      expect(await store.getRequest(1)).toMatchObject({
        toolId: 'claude-code',
        stages: [
          { groupId: 'security', status: 'pending' },
          { groupId: 'legal', status: 'waiting' },
        ],
      });
      expect(await auditCount(store)).toBe(before + 1);
      expect((await store.due(t0, 10)).map((i) => i.notice.kind)).toEqual(['stage_message']); // the DM waits behind it in the request's lane
      expect(await store.pendingCount()).toBe(2);
      store.close();
    });

    it('re-checks the limits inside the filing step', async () => {
      const store = await open();
      const check = (openNow: Parameters<typeof refusalFor>[1], active: Parameters<typeof refusalFor>[2]) =>
        refusalFor(verdict, openNow, active, 'claude-code', t0);
      expect((await store.fileRequest(draft(), ['security'], check, t0)).ok).toBe(true);
      expect(await store.fileRequest(draft(), ['security'], check, t0)).toEqual({
        ok: false,
        refusal: { kind: 'open_for_tool', requestId: 1 },
      });
      expect(await store.listRequests(null, 10)).toHaveLength(1);
      store.close();
    });

    it('records a decision once; a refused one changes nothing', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security', 'legal'], allow, t0);
      const auditBefore = await auditCount(store);
      const outboxBefore = await store.pendingCount();
      expect(
        await store.decide(1, { actor: 'U0LEGAL1', position: 0, decision: 'approve', note: null }, t0),
      ).toMatchObject({ ok: false, refusal: { kind: 'not_approver' } });
      expect(await auditCount(store)).toBe(auditBefore);
      expect(await store.pendingCount()).toBe(outboxBefore);
      const results = await Promise.all([
        store.decide(1, { actor: 'U0SEC1', position: 0, decision: 'approve', note: 'ok' }, later(1000)),
        store.decide(1, { actor: 'U0SEC2', position: 0, decision: 'deny', note: 'not ok at all' }, later(1000)),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toMatchObject({
        ok: false,
        refusal: { kind: 'stale_stage', decidedBy: 'U0SEC1' },
      });
      expect((await store.getRequest(1))?.stages[0]).toMatchObject({
        status: 'approved',
        decidedBy: 'U0SEC1',
        note: 'ok',
      });
      expect(await store.decide(99, { actor: 'U0SEC1', position: 0, decision: 'approve', note: null }, t0)).toEqual({
        ok: false,
        refusal: { kind: 'not_found' },
      });
      store.close();
    });

    it('knows active exceptions, open requests and approval queues', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security'], allow, t0);
      expect(await store.approvalQueueOf('U0SEC2')).toMatchObject([{ id: 1 }]);
      expect(await store.approvalQueueOf('U0LEGAL1')).toEqual([]);
      expect(await store.openRequestsOf('U0BOB')).toMatchObject([{ id: 1 }]);
      await store.decide(1, { actor: 'U0SEC1', position: 0, decision: 'approve', note: null }, t0);
      expect(await store.activeException('U0BOB', 'claude-code', t0)).toEqual({
        requestId: 1,
        expiresAt: later(30 * 86_400_000).toISOString(),
      });
      expect(await store.activeException('U0BOB', 'claude-code', later(31 * 86_400_000))).toBeNull();
      expect(await store.activeException('U0CAROL', 'claude-code', t0)).toBeNull();
      expect(await store.activeExceptionsOf('U0BOB', t0)).toMatchObject([{ id: 1 }]);
      store.close();
    });

    it('a granted renewal supersedes the exception it renews', async () => {
      const store = await open();
      await store.fileRequest(draft(), [], allow, t0);
      await store.fileRequest(draft({ renewalOf: 1 }), [], allow, later(25 * 86_400_000));
      expect((await store.getRequest(1))?.status).toBe('superseded');
      expect((await store.activeException('U0BOB', 'claude-code', later(40 * 86_400_000)))?.requestId).toBe(2);
      store.close();
    });

    it('cancel and revoke check who asks', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security'], allow, t0);
      expect(await store.cancel(1, 'U0CAROL', t0)).toMatchObject({ ok: false, refusal: { kind: 'not_requester' } });
      expect(await store.cancel(1, 'U0BOB', t0)).toMatchObject({ ok: true, request: { status: 'cancelled' } });
      await store.fileRequest(draft(), [], allow, t0);
      expect(await store.revoke(2, 'U0BOB', 'no reason', t0)).toMatchObject({
        ok: false,
        refusal: { kind: 'not_admin' },
      });
      expect(await store.revoke(2, 'U0ADMIN1', 'Vendor changed its terms.', t0)).toMatchObject({
        ok: true,
        request: { status: 'revoked' },
      });
      store.close();
    });

    it('a sweep does each thing once', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security'], allow, t0);
      const hour = 3_600_000;
      expect(await store.sweep(later(47 * hour))).toEqual({
        expired: 0,
        expiryReminders: 0,
        stageReminders: 0,
        escalations: 0,
      });
      expect(await store.sweep(later(49 * hour))).toEqual({
        expired: 0,
        expiryReminders: 0,
        stageReminders: 1,
        escalations: 0,
      });
      expect(await store.sweep(later(49 * hour))).toEqual({
        expired: 0,
        expiryReminders: 0,
        stageReminders: 0,
        escalations: 0,
      });
      expect(await store.sweep(later(121 * hour))).toEqual({
        expired: 0,
        expiryReminders: 0,
        stageReminders: 0,
        escalations: 1,
      });
      expect(await store.sweep(later(200 * hour))).toEqual({
        expired: 0,
        expiryReminders: 0,
        stageReminders: 0,
        escalations: 0,
      });
      store.close();
    });

    it('the outbox keeps each lane in order and retries what failed', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security'], allow, t0);
      await store.fileRequest(draft({ requester: 'U0CAROL' }), ['security'], allow, t0);
      const first = await store.due(t0, 10);
      expect(first.map((i) => [i.lane, i.notice.kind])).toEqual([
        ['request:1', 'stage_message'],
        ['request:2', 'stage_message'],
      ]);
      await store.markRetry(first[0]?.id as number, later(5000), 'HTTP 500');
      expect((await store.due(t0, 10)).map((i) => i.lane)).toEqual(['request:2']); // lane 1 waits for its first message
      expect(await store.nextDueAt()).toBe(t0.toISOString());
      await store.markDelivered(first[1]?.id as number, t0);
      expect((await store.due(t0, 10)).map((i) => [i.lane, i.notice.kind])).toEqual([['request:2', 'dm']]);
      const retried = (await store.due(later(5000), 10)).find((i) => i.lane === 'request:1');
      expect(retried).toMatchObject({ notice: { kind: 'stage_message' }, attempts: 1 });
      await store.markFailed(retried?.id as number, later(5000), 'slack error: channel_not_found');
      expect((await store.due(later(5000), 10)).map((i) => [i.lane, i.notice.kind])).toContainEqual([
        'request:1',
        'dm',
      ]);
      store.close();
    });

    it('a claimed message is nobody else’s until its lease runs out; then it is taken over, in doubt', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security'], allow, t0);
      await store.fileRequest(draft({ requester: 'U0CAROL' }), ['security'], allow, t0);
      const a = await store.claim('worker-a', t0, 60_000, 1);
      expect(a.map((i) => [i.id, i.lane, i.notice.kind, i.inDoubt])).toEqual([
        [1, 'request:1', 'stage_message', false],
      ]);
      // B gets the other lane's head, not A's, and nothing behind A's (the lane keeps its order).
      const b = await store.claim('worker-b', t0, 60_000, 10);
      expect(b.map((i) => [i.lane, i.notice.kind])).toEqual([['request:2', 'stage_message']]);
      expect(await store.claim('worker-b', later(59_999), 60_000, 10)).toEqual([]);
      await store.markDelivered(b[0]?.id as number, later(1000));
      // A died holding its lease: once it runs out, B takes the message over, knowing it may have been sent.
      const taken = await store.claim('worker-b', later(60_000), 60_000, 10);
      expect(taken.map((i) => [i.id, i.notice.kind, i.inDoubt])).toEqual([
        [1, 'stage_message', true],
        [4, 'dm', false], // request 2's DM, free since B delivered the message before it
      ]);
      await store.markDelivered(1, later(60_001));
      // Marking gives the lease back: the lane's next message is free for anyone.
      expect((await store.claim('worker-a', later(60_002), 60_000, 10)).map((i) => [i.lane, i.notice.kind])).toEqual([
        ['request:1', 'dm'],
      ]);
      store.close();
    });

    it('a failed attempt gives the lease back; one that may have reached Slack stays in doubt until delivered', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security'], allow, t0);
      const [first] = await store.claim('worker-a', t0, 60_000, 10);
      await store.markRetry(first?.id as number, later(1000), 'request timed out', true);
      expect(await store.claim('worker-b', later(999), 60_000, 10)).toEqual([]); // not due yet
      const [again] = await store.claim('worker-b', later(1000), 60_000, 10);
      expect(again).toMatchObject({ id: first?.id, attempts: 1, inDoubt: true });
      await store.markRetry(again?.id as number, later(2000), 'HTTP 500');
      const [third] = await store.claim('worker-b', later(2000), 60_000, 10);
      expect(third).toMatchObject({ id: first?.id, attempts: 2, inDoubt: true });
      await store.markFailed(third?.id as number, later(2000), 'slack error: invalid_blocks');
      // Given up: its lane goes on.
      expect((await store.claim('worker-b', later(2000), 60_000, 10)).map((i) => i.notice.kind)).toEqual(['dm']);
      store.close();
    });

    it('claims by several workers never overlap', async () => {
      const store = await open();
      for (const requester of ['U0A1', 'U0A2', 'U0A3', 'U0A4', 'U0A5', 'U0A6'])
        await store.fileRequest(draft({ requester }), ['security'], allow, t0);
      const claims = await Promise.all(
        ['w1', 'w2', 'w3'].flatMap((w) => [store.claim(w, t0, 60_000, 2), store.claim(w, t0, 60_000, 2)]),
      );
      const ids = claims.flat().map((i) => i.id);
      expect(ids).toHaveLength(6);
      expect(new Set(ids).size).toBe(6);
      store.close();
    });

    it('messages about a request are claimed before other notices, oldest first', async () => {
      const store = await open();
      for (const user of ['U0R1', 'U0R2', 'U0R3'])
        await store.recordEvent(
          { audit: [], notices: [{ kind: 'review_request', channel: 'C0SECURITY', user, query: 'some tool' }] },
          t0,
        );
      await store.fileRequest(draft(), ['security'], allow, later(1000));
      expect((await store.claim('w', later(1000), 60_000, 2)).map((i) => i.notice.kind)).toEqual([
        'stage_message',
        'review_request',
      ]);
      store.close();
    });

    it('the leases of an owner known to be dead end at once', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security'], allow, t0);
      await store.claim('dead-worker', t0, 60_000, 10);
      expect(await store.leaseHolders(later(1))).toEqual(['dead-worker']);
      expect(await store.claim('w', later(1), 60_000, 10)).toEqual([]);
      expect(await store.endLeases('dead-worker', later(1))).toBe(1);
      expect(await store.leaseHolders(later(1))).toEqual([]);
      expect((await store.claim('w', later(1), 60_000, 10)).map((i) => [i.notice.kind, i.inDoubt])).toEqual([
        ['stage_message', true],
      ]);
      store.close();
    });

    it('prunes delivered messages older than a date, and nothing else; the audit log stays whole', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security'], allow, t0);
      await store.fileRequest(draft({ requester: 'U0CAROL' }), ['security'], allow, t0);
      const [one, two] = await store.claim('w', t0, 60_000, 10);
      await store.markDelivered(one?.id as number, t0);
      await store.markFailed(two?.id as number, t0, 'slack error: invalid_blocks');
      await store.markDelivered((await store.claim('w', later(5000), 60_000, 10))[0]?.id as number, later(5000));
      const audit = await store.auditEntries(null);
      expect(await store.pruneDelivered(t0)).toBe(0); // delivered at t0 is not older than t0
      expect(await store.pruneDelivered(later(1))).toBe(1);
      expect(await store.pruneDelivered(later(1))).toBe(0);
      expect(await store.failedMessages()).toHaveLength(1);
      expect(await store.pendingCount()).toBe(1); // request 2's DM, claimed, not yet sent
      expect(await store.auditEntries(null)).toEqual(audit);
      expect(await store.verifyAudit()).toMatchObject({ ok: true });
      store.close();
    });

    it('pruning keeps a tool that requests still refer to, and says so', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security'], allow, t0);
      const registry = readRegistryFile(REGISTRY_PATH);
      const without = {
        ...registry,
        tools: registry.tools
          .filter((t) => t.id !== 'claude-code')
          .map((t) => ({
            ...t,
            alternatives: t.alternatives.filter((a) => a !== 'claude-code'),
            regions: Object.fromEntries(
              Object.entries(t.regions).map(([k, o]) => [
                k,
                { ...o, ...(o.alternatives && { alternatives: o.alternatives.filter((a) => a !== 'claude-code') }) },
              ]),
            ),
          })),
      };
      const summary = await store.importRegistry(without, { prune: true, actor: 'test', now: t0 });
      expect(summary.kept).toEqual(['claude-code']);
      expect(summary.removed).toEqual([]);
      expect(await store.getTool('claude-code')).not.toBeNull();
      expect((await store.getRequest(1))?.toolId).toBe('claude-code');
      store.close();
    });

    it('refuses an import that would leave open requests or kept tools with a removed approver group', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security', 'legal'], allow, t0);
      const registry = readRegistryFile(REGISTRY_PATH);
      const noLegal = {
        ...registry,
        approverGroups: registry.approverGroups.filter((g) => g.id !== 'legal'),
        approvalChains: { ...registry.approvalChains, high: ['security'], critical: ['security', 'privacy'] },
        tools: registry.tools.map((t) => ({ ...t, approvers: t.approvers?.filter((g) => g !== 'legal') ?? null })),
      };
      const error = await store
        .importRegistry(noLegal, { prune: false, actor: 'test', now: t0 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryConflictError);
      expect((error as RegistryConflictError).problems).toEqual([
        'approver group "legal" still has open requests (#1) to decide; keep the group until they are decided or cancelled',
      ]);
      expect(await store.approverGroup('legal')).not.toBeNull();
      store.close();
    });

    it('the audit log chains every entry', async () => {
      const store = await open();
      await store.fileRequest(draft(), ['security'], allow, t0);
      await store.decide(1, { actor: 'U0SEC1', position: 0, decision: 'approve', note: null }, t0);
      const entries = await store.auditEntries(null);
      expect(entries.map((e) => e.action).slice(-3)).toEqual(['request.filed', 'stage.approved', 'request.activated']);
      entries.slice(1).forEach((e, i) => expect(e.prevHash).toBe(entries[i]?.hash));
      expect(await store.verifyAudit()).toEqual({
        ok: true,
        entries: entries.length,
        head: `${entries.at(-1)?.id}:${entries.at(-1)?.hash}`,
      });
      store.close();
    });
  });
}
