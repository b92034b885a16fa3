// Small constructors for the Block Kit elements toolgate uses. Plain objects, so
// views stay pure functions from data to JSON.
import { clip } from './mrkdwn.ts';

export interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export interface ButtonElement {
  type: 'button';
  action_id: string;
  text: TextObject;
  value?: string;
  style?: 'primary' | 'danger';
  url?: string;
}

export type Block =
  | { type: 'header'; block_id?: string; text: TextObject }
  | { type: 'section'; block_id?: string; text?: TextObject; fields?: TextObject[]; accessory?: ButtonElement }
  | { type: 'context'; block_id?: string; elements: TextObject[] }
  | { type: 'divider'; block_id?: string }
  | { type: 'actions'; block_id?: string; elements: ButtonElement[] }
  | { type: 'input'; block_id: string; label: TextObject; element: Record<string, unknown>; optional?: boolean; hint?: TextObject; dispatch_action?: boolean };

export interface MessageView {
  /** Fallback for notifications and screen readers. */
  text: string;
  blocks: Block[];
}

const SECTION_TEXT_MAX = 3000;

export const plain = (text: string): TextObject => ({ type: 'plain_text', text: clip(text, 2000), emoji: true });
export const md = (text: string): TextObject => ({ type: 'mrkdwn', text: clip(text, SECTION_TEXT_MAX) });

export const header = (text: string): Block => ({ type: 'header', text: plain(clip(text, 150)) });
export const section = (text: string, extra: { fields?: string[]; accessory?: ButtonElement; block_id?: string } = {}): Block => ({
  type: 'section',
  text: md(text),
  ...(extra.block_id && { block_id: extra.block_id }),
  ...(extra.fields && { fields: extra.fields.slice(0, 10).map((f) => md(clip(f, 2000))) }),
  ...(extra.accessory && { accessory: extra.accessory }),
});
export const context = (...texts: string[]): Block => ({ type: 'context', elements: texts.slice(0, 10).map(md) });
export const divider = (): Block => ({ type: 'divider' });
export const actions = (block_id: string, elements: ButtonElement[]): Block => ({ type: 'actions', block_id, elements: elements.slice(0, 25) });
export const button = (action_id: string, text: string, value?: string, style?: 'primary' | 'danger'): ButtonElement => ({
  type: 'button',
  action_id,
  text: plain(clip(text, 75)),
  ...(value !== undefined && { value: clip(value, 2000) }),
  ...(style && { style }),
});
