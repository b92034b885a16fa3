// Small constructors for the Block Kit toolgate uses, typed with Slack's own @slack/types so the
// compiler refuses a block Slack would reject. Plain objects: renderers stay pure functions.
import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  InputBlock,
  InputBlockElement,
  KnownBlock,
  MrkdwnElement,
  PlainTextElement,
  SectionBlock,
  SectionBlockAccessory,
} from '@slack/types';
import { cleanUserText } from '../../domain/text.ts';
import { clip } from './mrkdwn.ts';

/** A message: the blocks, and the fallback text for notifications and screen readers. */
export interface MessageView {
  text: string;
  blocks: KnownBlock[];
}

// Slack's documented limits (Block Kit reference): section text 3000, field 2000, header 150, button 75.
const SECTION_TEXT_MAX = 3000;
const FIELD_MAX = 2000;
const HEADER_MAX = 150;
const BUTTON_TEXT_MAX = 75;
const BUTTON_VALUE_MAX = 2000;
const MAX_FIELDS = 10;
const MAX_CONTEXT_ELEMENTS = 10;
const MAX_ACTION_ELEMENTS = 25;

export const plain = (text: string, max = 2000): PlainTextElement => ({
  type: 'plain_text',
  text: clip(cleanUserText(text), max),
  emoji: true,
});
export const md = (text: string, max = SECTION_TEXT_MAX): MrkdwnElement => ({ type: 'mrkdwn', text: clip(text, max) });

export const header = (text: string): HeaderBlock => ({ type: 'header', text: plain(text, HEADER_MAX) });

export const section = (
  text: string,
  extra: { fields?: string[]; accessory?: SectionBlockAccessory; block_id?: string } = {},
): SectionBlock => ({
  type: 'section',
  text: md(text),
  ...(extra.block_id && { block_id: extra.block_id }),
  ...(extra.fields && { fields: extra.fields.slice(0, MAX_FIELDS).map((f) => md(f, FIELD_MAX)) }),
  ...(extra.accessory && { accessory: extra.accessory }),
});

export const context = (...texts: string[]): ContextBlock => ({
  type: 'context',
  elements: texts.slice(0, MAX_CONTEXT_ELEMENTS).map((t) => md(t)),
});

export const divider = (): DividerBlock => ({ type: 'divider' });

export const actions = (block_id: string, elements: ActionsBlockElement[]): ActionsBlock => ({
  type: 'actions',
  block_id,
  elements: elements.slice(0, MAX_ACTION_ELEMENTS),
});

export const button = (action_id: string, text: string, value?: string, style?: 'primary' | 'danger'): Button => ({
  type: 'button',
  action_id,
  text: plain(text, BUTTON_TEXT_MAX),
  ...(value !== undefined && { value: clip(value, BUTTON_VALUE_MAX) }),
  ...(style && { style }),
});

export const input = (
  block_id: string,
  label: string,
  element: InputBlockElement,
  opts: { optional?: boolean; hint?: string } = {},
): InputBlock => ({
  type: 'input',
  block_id,
  label: plain(label),
  ...(opts.optional && { optional: true }),
  ...(opts.hint && { hint: plain(opts.hint) }),
  element,
});
