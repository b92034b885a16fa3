// The newcomer's story, in a real browser against the real bot: ask about Claude Code as an
// employee, request an exception, approve it as each approver group in turn, ask again.
import { fileURLToPath } from 'node:url';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlayground, type Playground } from '../../src/playground/index.ts';
import type { Browser } from './chromium.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCREENSHOT = join(ROOT, 'test-results/playground/approved.png');
/** `UPDATE_SCREENSHOT=1 npx vitest run test/playground` refreshes the README's picture. */
const DOCS_SCREENSHOT = join(ROOT, 'docs/playground.png');

let pg: Playground;
let page: Page;
let dir: string;

const WAIT = { timeout: 10_000 };
const visible = (l: Locator) => l.waitFor({ state: 'visible', ...WAIT });
const hidden = (l: Locator) => l.waitFor({ state: 'hidden', ...WAIT });
/** Waits until the locator's text contains `wanted`. */
const shows = async (l: Locator, wanted: string | RegExp) => {
  const text = expect.poll(
    () =>
      l
        .first()
        .innerText({ timeout: 1000 })
        .catch(() => ''),
    WAIT,
  );
  if (typeof wanted === 'string') await text.toContain(wanted);
  else await text.toMatch(wanted);
};

let shots = 0;
/** Runs one step of the story; a failure names the step. Each step leaves a screenshot in test-results/. */
async function step(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
    shots += 1;
    const file = `${String(shots).padStart(2, '0')}-${name
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 60)}.png`;
    await page.screenshot({ path: join(ROOT, 'test-results/playground', file) });
  } catch (error) {
    await page.screenshot({ path: join(ROOT, 'test-results/playground/failed-step.png') }).catch(() => undefined);
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`story step "${name}" failed: ${message}`, { cause: error });
  }
}

const becomes = async (user: string) => {
  await page.getByLabel('Who you are').selectOption(user);
  await shows(page.locator('.sb-me'), pg.directory.people.find((p) => p.id === user)?.name ?? user);
};
/** Closes whatever modal the bot left open (e.g. a confirmation), as a person would. */
const dismissModal = async () => {
  const dialog = page.getByRole('dialog');
  if (await dialog.isVisible()) {
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await hidden(dialog);
  }
};
const openConversation = (name: string) => page.locator('.sb-item', { hasText: name }).first().click();
const ask = async (text: string) => {
  const box = page.getByLabel('Message');
  await box.fill(text);
  await box.press('Enter');
};

export function storySuite(browser: () => Browser): void {
  describe('the playground story, in Chromium', () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'toolgate-playground-'));
      pg = await startPlayground({ port: 0, databasePath: join(dir, 'toolgate.db'), logLevel: 'error' });
      mkdirSync(join(ROOT, 'test-results/playground'), { recursive: true });
      page = await browser().context.newPage();
      page.setDefaultTimeout(10_000);
    });

    afterAll(async () => {
      await page?.close();
      await pg?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it(
      'does the whole story: ask, request an exception, approvals in each group, ask again',
      { timeout: 90_000 },
      async () => {
        const store = pg.bot.store;
        const registry = await store.exportRegistry();
        const tool = await store.getTool('claude-code');
        expect(tool).not.toBeNull();
        const chain = tool?.approvers ?? (await store.approvalChain(tool?.risk ?? 'high'));
        const employee = pg.directory.defaultUser;
        const employeeName = pg.directory.people.find((p) => p.id === employee)?.name ?? employee;

        await step('open the page as an employee in region global', async () => {
          await page.goto(pg.url);
          await shows(page.locator('#status'), 'connected to the bot');
          expect(await page.getByLabel('Who you are').inputValue()).toBe(employee);
          expect(pg.directory.people.find((p) => p.id === employee)?.region).toBe('global');
        });

        await step('ask /can-i-use claude code: an ephemeral answer with the exception button', async () => {
          await ask('/can-i-use claude code');
          const answer = page.locator('.msg.ephemeral').last();
          await shows(answer, 'Exception required');
          await shows(answer, 'Only visible to you');
          expect(await answer.locator('.b-header').innerText()).toBe('Claude Code');
          expect(await answer.getByRole('button', { name: 'Request an exception' }).getAttribute('class')).toContain(
            'primary',
          );
        });

        const dialog = page.getByRole('dialog', { name: 'Request an exception' });
        await step('click Request an exception: the modal opens', async () => {
          await page.locator('.msg.ephemeral').last().getByRole('button', { name: 'Request an exception' }).click();
          await visible(dialog);
          await visible(dialog.getByLabel('Justification'));
        });

        await step('submit it empty: per-field errors, the modal stays', async () => {
          await dialog.getByLabel('Justification').fill('');
          await dialog.getByRole('button', { name: 'Submit request' }).click();
          await visible(dialog.locator('.b-input.has-error .field-error').first());
          expect(await dialog.locator('.b-input.has-error .field-error').first().innerText()).not.toBe('');
          expect(await dialog.isVisible()).toBe(true);
        });

        await step('fill in the request and submit it', async () => {
          await dialog
            .getByLabel('Justification')
            .fill('Refactoring our open-source SDK; Claude Code handles the large mechanical changes well.');
          await dialog.getByLabel('Where will you use it?').fill('github.com/example/sdk (public repository)');
          await dialog.getByLabel('Most sensitive data').selectOption({ label: 'Internal' });
          await dialog.getByLabel('Duration (days)').fill('30');
          await dialog.getByRole('button', { name: 'Submit request' }).click();
          await hidden(dialog);
          await dismissModal();
        });

        await step('the asker gets a DM', async () => {
          await visible(page.locator('.sb-item.dm .badge'));
          await openConversation('toolgate');
          await visible(page.locator('.msg').first());
        });

        // Approvers by hand, or through the Slack user group the approver group names (the playground's registry).
        const approverOf = (group: (typeof registry.approverGroups)[number] | undefined) =>
          group?.members[0] ??
          (group?.usergroup ? [...(pg.standIn.usergroup(group.usergroup)?.users ?? [])].sort()[0] : undefined);

        /** Approvers who have already opened their channel (no unread badge there any more). */
        const seen = new Set<string>();
        const first = registry.approverGroups.find((g) => g.id === chain[0]);
        const usergroup = first?.usergroup ? pg.standIn.usergroup(first.usergroup) : undefined;
        if (usergroup) {
          const approver = approverOf(first) as string;
          const name = pg.directory.people.find((p) => p.id === approver)?.name ?? approver;
          const firstChannel = pg.directory.channels.find((c) => c.id === first?.channel)?.name ?? '';
          const panel = page.locator('details.usergroups');
          const members = panel.locator(`.ug[data-usergroup="${usergroup.id}"] .ug-members`);
          await step(
            `@${usergroup.handle}: ${name} leaves the Slack user group, and their Approve is refused`,
            async () => {
              await becomes(approver);
              if ((await panel.getAttribute('open')) === null) await panel.locator('summary').click();
              await shows(members, name);
              await panel.getByRole('button', { name: `Remove ${name} from @${usergroup.handle}` }).click();
              await expect.poll(() => members.innerText(), WAIT).not.toContain(name);
              await openConversation(firstChannel);
              seen.add(approver);
              const request = page
                .locator('.msg', { has: page.getByRole('button', { name: 'Approve', exact: true }) })
                .last();
              // The request names the group by its handle, as Slack shows a user group mention.
              await shows(request, `@${usergroup.handle}`);
              await request.getByRole('button', { name: 'Approve', exact: true }).click();
              await shows(page.locator('.msg.ephemeral').last(), 'You are not an approver for this stage');
              expect(await page.getByRole('dialog', { name: 'Approve request' }).count()).toBe(0);
            },
          );
          await step(`@${usergroup.handle}: ${name} is added back`, async () => {
            await panel.getByLabel(`Add someone to @${usergroup.handle}`).selectOption(approver);
            await shows(members, name);
          });
        }

        let stage = 0;
        for (const groupId of chain) {
          stage += 1;
          const group = registry.approverGroups.find((g) => g.id === groupId);
          const approver = approverOf(group);
          const channel = pg.directory.channels.find((c) => c.id === group?.channel);
          await step(`stage ${stage}: ${group?.name ?? groupId} approves in #${channel?.name ?? '?'}`, async () => {
            expect(approver, `group ${groupId} has a member`).toBeTruthy();
            await becomes(approver as string);
            if (!seen.has(approver as string))
              await visible(page.locator('.sb-item', { hasText: channel?.name ?? '' }).locator('.badge'));
            await openConversation(channel?.name ?? '');
            const request = page
              .locator('.msg', { has: page.getByRole('button', { name: 'Approve', exact: true }) })
              .last();
            await shows(request, 'Claude Code');
            await visible(request.getByRole('button', { name: 'Deny', exact: true }));
            const ts = await request.getAttribute('data-ts');
            await request.getByRole('button', { name: 'Approve', exact: true }).click();
            const approve = page.getByRole('dialog', { name: 'Approve request' });
            await visible(approve);
            await approve.getByRole('button', { name: 'Approve', exact: true }).click();
            await hidden(approve);
            await dismissModal();
            // Updated in place: the same message, edited, without its buttons.
            const same = page.locator(`.msg[data-ts="${ts}"]`);
            await shows(same.locator('.edited'), '(edited)');
            await expect.poll(() => same.getByRole('button', { name: 'Approve', exact: true }).count(), WAIT).toBe(0);
          });
        }

        await step(`back to ${employeeName}: the DM says approved`, async () => {
          await becomes(employee);
          await openConversation('toolgate');
          await shows(page.locator('.msg').last(), /approved/i);
        });

        await step('ask again: Allowed under exception #1', async () => {
          await openConversation('general');
          await ask('/can-i-use claude code');
          const answer = page.locator('.msg.ephemeral').last();
          await shows(answer, 'Allowed under exception #1');
          await answer.scrollIntoViewIfNeeded();
          await page.screenshot({ path: SCREENSHOT });
          if (process.env.UPDATE_SCREENSHOT) {
            mkdirSync(join(ROOT, 'docs'), { recursive: true });
            copyFileSync(SCREENSHOT, DOCS_SCREENSHOT);
          }
        });
      },
    );
  });
}
