// The page renders whatever Block Kit the bot sends, without ever turning text into HTML.
// Here the "bot" is this test, calling the stand-in's Web API with a bot token as the bot would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlayground, type Playground } from '../../src/playground/index.ts';
import type { Browser } from './chromium.ts';

let pg: Playground;
let page: Page;
let dir: string;

const WAIT = { timeout: 10_000 };
const shows = (l: Locator, wanted: string) =>
  expect
    .poll(
      () =>
        l
          .first()
          .innerText({ timeout: 1000 })
          .catch(() => ''),
      WAIT,
    )
    .toContain(wanted);

async function slackApi(method: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const res = await fetch(`${pg.standIn.apiUrl}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${pg.botToken}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(args),
  });
  const body = (await res.json()) as Record<string, unknown>;
  expect(body.ok, `${method}: ${JSON.stringify(body)}`).toBe(true);
  return body;
}

const MRKDWN = [
  '*bold* _italic_ ~struck~ `code <b>` 2*3*4',
  '<https://example.com/docs?a=1&amp;b=2|the docs> and <javascript:alert(1)|a bad link>',
  'to <@U0SEC1> in <#C0LEGAL>',
  ':white_check_mark: :warning: :no_entry: :large_yellow_circle: :grey_question: :not_an_emoji:',
  '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;',
  '> a quoted line',
].join('\n');

export function renderSuite(browser: () => Browser): void {
  describe('Block Kit in the playground', () => {
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'toolgate-playground-'));
      pg = await startPlayground({ port: 0, databasePath: join(dir, 'toolgate.db'), logLevel: 'error' });
      page = await browser().context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(pg.url);
      await page.getByText('connected to the bot').waitFor(WAIT);
    });

    afterAll(async () => {
      await page?.close();
      await pg?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('renders every block the bot uses, mrkdwn included, and never injects HTML', { timeout: 30_000 }, async () => {
      const posted = await slackApi('chat.postMessage', {
        channel: 'C0GENERAL',
        text: 'gallery',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'Gallery :tada: <b>not bold</b>', emoji: true } },
          {
            type: 'section',
            block_id: 'main',
            text: { type: 'mrkdwn', text: MRKDWN },
            fields: [
              { type: 'mrkdwn', text: '*Vendor*\nAnthropic' },
              { type: 'mrkdwn', text: '*Risk class*\nHigh' },
            ],
            accessory: { type: 'button', action_id: 'more', text: { type: 'plain_text', text: 'More' } },
          },
          {
            type: 'context',
            elements: [
              { type: 'mrkdwn', text: 'Policy · _Last reviewed_ 2025-03-10' },
              { type: 'plain_text', text: 'plain <i>text</i>' },
            ],
          },
          { type: 'divider' },
          {
            type: 'actions',
            block_id: 'decide',
            elements: [
              { type: 'button', action_id: 'yes', style: 'primary', text: { type: 'plain_text', text: 'Approve' } },
              { type: 'button', action_id: 'no', style: 'danger', text: { type: 'plain_text', text: 'Deny' } },
              {
                type: 'static_select',
                action_id: 'pick',
                placeholder: { type: 'plain_text', text: 'Pick one' },
                options: [{ text: { type: 'plain_text', text: 'One' }, value: '1' }],
              },
            ],
          },
          { type: 'video_of_the_future', block_id: 'future', caption: '<img src=x onerror=alert(3)>' },
        ],
      });
      const msg = page.locator(`.msg[data-ts="${String(posted.ts)}"]`);
      await shows(msg, 'Gallery');

      // header and plain text: shown as written, emoji allowed, no markup
      expect(await msg.locator('.b-header').innerText()).toBe('Gallery 🎉 <b>not bold</b>');
      expect(await msg.locator('.b-context').innerText()).toContain('plain <i>text</i>');
      // mrkdwn
      const section = msg.locator('.b-section-text');
      expect(await section.locator('b').first().innerText()).toBe('bold');
      expect(await section.locator('i').innerText()).toBe('italic');
      expect(await section.locator('s').innerText()).toBe('struck');
      expect(await section.locator('code').innerText()).toBe('code <b>');
      expect(await section.innerText()).toContain('2*3*4');
      const link = section.getByRole('link', { name: 'the docs' });
      expect(await link.getAttribute('href')).toBe('https://example.com/docs?a=1&b=2');
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await section.innerText()).toContain('a bad link');
      expect(await section.locator('a').count()).toBe(1);
      expect(await section.locator('.mention').allInnerTexts()).toEqual(['@Marcus Webb', '#legal']);
      const text = await section.innerText();
      for (const emoji of ['✅', '⚠️', '⛔', '🟡', '❔']) expect(text).toContain(emoji);
      expect(text).toContain(':not_an_emoji:');
      expect(text).toContain('<script>alert(1)</script> & <img src=x onerror=alert(2)>');
      expect(await section.locator('blockquote').innerText()).toBe('a quoted line');
      // fields, accessory, actions
      expect(await msg.locator('.b-field').allInnerTexts()).toEqual(['Vendor\nAnthropic', 'Risk class\nHigh']);
      expect(await msg.locator('.b-accessory').getByRole('button', { name: 'More' }).count()).toBe(1);
      expect(await msg.getByRole('button', { name: 'Approve' }).getAttribute('class')).toContain('primary');
      expect(await msg.getByRole('button', { name: 'Deny' }).getAttribute('class')).toContain('danger');
      expect(await msg.locator('.b-actions select option').allInnerTexts()).toEqual(['Pick one', 'One']);
      expect(await msg.locator('hr.b-divider').count()).toBe(1);
      // an unknown block is shown as its JSON
      const unknown = msg.locator('.unknown-block');
      expect(await unknown.innerText()).toContain('"type": "video_of_the_future"');
      expect(await unknown.innerText()).toContain('<img src=x onerror=alert(3)>');
      // nothing was injected anywhere
      expect(await page.locator('.msg img, .msg script, .msg iframe').count()).toBe(0);
      expect(await page.locator('script').count()).toBe(1);

      // chat.update: the same message changes in place
      await slackApi('chat.update', {
        channel: 'C0GENERAL',
        ts: posted.ts,
        text: 'updated',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: ':white_check_mark: *Approved* by <@U0SEC1>' } }],
      });
      await shows(msg, 'Approved by @Marcus Webb');
      expect(await msg.locator('.edited').innerText()).toBe('(edited)');
      expect(await msg.getByRole('button').count()).toBe(0);
      expect(await page.locator('.msg').count()).toBe(1);
    });

    it('keeps what people type as text: a message cannot smuggle markup or mentions', async () => {
      const box = page.getByLabel('Message');
      await box.fill('<b>hi</b> & <@U0SEC1>');
      await box.press('Enter');
      const mine = page.locator('.msg.message').last();
      await shows(mine, '<b>hi</b> & <@U0SEC1>');
      expect(await mine.locator('b, .mention').count()).toBe(0);
      expect(await mine.locator('.author').innerText()).toBe('Bob Martinez');
    });

    it('says so when a command does not exist', async () => {
      const box = page.getByLabel('Message');
      await box.fill('/no-such-command please');
      await box.press('Enter');
      await shows(page.locator('.msg.notice').last(), '/no-such-command is not a valid command');
    });

    it(
      'renders modals with every input type, client and bot errors, updates that keep typed values',
      { timeout: 30_000 },
      async () => {
        const option = (text: string, value: string) => ({ text: { type: 'plain_text', text }, value });
        const blocks = [
          { type: 'section', text: { type: 'mrkdwn', text: 'Tell us *everything*.' } },
          {
            type: 'input',
            block_id: 'title',
            label: { type: 'plain_text', text: 'Title' },
            element: { type: 'plain_text_input', action_id: 'v' },
          },
          {
            type: 'input',
            block_id: 'details',
            label: { type: 'plain_text', text: 'Details' },
            hint: { type: 'plain_text', text: 'Be specific' },
            element: { type: 'plain_text_input', action_id: 'v', multiline: true },
          },
          {
            type: 'input',
            block_id: 'kind',
            label: { type: 'plain_text', text: 'Kind' },
            element: {
              type: 'static_select',
              action_id: 'v',
              options: [option('Public', 'public'), option('Internal', 'internal')],
            },
          },
          {
            type: 'input',
            block_id: 'urgency',
            label: { type: 'plain_text', text: 'Urgency' },
            element: { type: 'radio_buttons', action_id: 'v', options: [option('Low', 'low'), option('High', 'high')] },
          },
          {
            type: 'input',
            block_id: 'count',
            label: { type: 'plain_text', text: 'How many' },
            element: {
              type: 'number_input',
              action_id: 'v',
              is_decimal_allowed: false,
              min_value: '1',
              max_value: '10',
            },
          },
          {
            type: 'input',
            block_id: 'when',
            label: { type: 'plain_text', text: 'Start' },
            element: { type: 'datepicker', action_id: 'v', initial_date: '2030-01-02' },
          },
          {
            type: 'input',
            block_id: 'note',
            optional: true,
            label: { type: 'plain_text', text: 'Note' },
            element: { type: 'plain_text_input', action_id: 'v' },
          },
        ];
        const view = {
          type: 'modal',
          callback_id: 'gallery',
          title: { type: 'plain_text', text: 'Gallery form' },
          submit: { type: 'plain_text', text: 'Send it' },
          blocks,
        };
        const opened = await slackApi('views.open', { trigger_id: pg.standIn.newTriggerId('U0BOB'), view });
        const viewId = String((opened.view as { id: string }).id);

        const dialog = page.getByRole('dialog', { name: 'Gallery form' });
        await dialog.waitFor(WAIT);
        expect(await dialog.locator('textarea').count()).toBe(1);
        expect(await dialog.getByLabel('Kind').locator('option').allInnerTexts()).toEqual([
          'Select an option',
          'Public',
          'Internal',
        ]);
        expect(await dialog.getByRole('radio').count()).toBe(2);
        expect(await dialog.getByLabel('Start').getAttribute('type')).toBe('date');
        expect(await dialog.getByLabel('Start').inputValue()).toBe('2030-01-02');
        expect(await dialog.locator('.b-input-hint').innerText()).toBe('Be specific');
        expect(await dialog.locator('.optional').innerText()).toContain('optional');

        // Empty required fields: the Slack client refuses to send, and says where.
        await dialog.getByRole('button', { name: 'Send it' }).click();
        await shows(dialog.locator('.b-input[data-block-id="title"] .field-error'), 'Please fill out this field.');
        expect(await dialog.locator('.b-input[data-block-id="note"] .field-error').innerText()).toBe('');

        // Errors the bot returns (response_action: errors) show under their fields.
        await dialog.getByLabel('Title').fill('My title');
        pg.standIn.applyViewSubmissionResponse('U0BOB', viewId, {
          response_action: 'errors',
          errors: { count: 'Pick a number between 1 and 10' },
        });
        await shows(dialog.locator('.b-input[data-block-id="count"] .field-error'), 'Pick a number between 1 and 10');

        // The bot updates the view: what was typed stays.
        await slackApi('views.update', {
          view_id: viewId,
          view: { ...view, title: { type: 'plain_text', text: 'Gallery form, v2' } },
        });
        const v2 = page.getByRole('dialog', { name: 'Gallery form, v2' });
        await v2.waitFor(WAIT);
        expect(await v2.getByLabel('Title').inputValue()).toBe('My title');

        await v2.getByRole('button', { name: 'Cancel' }).click();
        await v2.waitFor({ state: 'hidden', ...WAIT });
        expect(pg.standIn.openViews('U0BOB')).toEqual([]);
      },
    );

    it('fits a narrow window', async () => {
      await page.setViewportSize({ width: 700, height: 800 });
      await page.getByLabel('Message').waitFor(WAIT);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(700);
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  });
}
