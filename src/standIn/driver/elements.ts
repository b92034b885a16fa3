/**
 * Finding the element a user acts on in the blocks the bot rendered, and describing the action
 * the way Slack does in a block_actions payload (`actions[0]`).
 */
import {
  allElements,
  isRecord,
  textOf,
  type BlockElement,
  type FoundElement,
  type JsonObject,
  type SlackBlock,
  type SlackOption,
} from '../blocks.ts';

/** Which element: by action_id and/or label, narrowed by block_id, value, and whether it is a button. */
export interface ElementQuery {
  actionId?: string | undefined;
  label?: string | undefined;
  blockId?: string | undefined;
  value?: string | undefined;
  type?: 'button' | 'non-button';
}

/** The one element matching `query`; throws, listing the candidates, when none or several match. */
export function pickElement(blocks: readonly SlackBlock[], query: ElementQuery, where: string): FoundElement {
  const all = allElements(blocks);
  if (query.actionId === undefined && query.label === undefined) {
    throw new Error(`${where}: give actionId or label`);
  }
  const matches = all.filter(
    (f) =>
      (query.actionId === undefined || f.actionId === query.actionId) &&
      (query.label === undefined || textOf(f.element.text) === query.label) &&
      (query.blockId === undefined || f.blockId === query.blockId) &&
      (query.value === undefined || f.element.value === query.value) &&
      (query.type === undefined || (query.type === 'button') === (f.element.type === 'button')),
  );
  const wanted = JSON.stringify({
    actionId: query.actionId,
    label: query.label,
    blockId: query.blockId,
    value: query.value,
  });
  if (matches.length === 0)
    throw new Error(`${where}: no element matching ${wanted}; elements: ${describeElements(all)}`);
  const [first] = matches;
  if (matches.length > 1 || !first) {
    throw new Error(
      `${where}: ${matches.length} elements match ${wanted}; narrow with blockId/value: ${describeElements(matches)}`,
    );
  }
  return first;
}

function describeElements(found: FoundElement[]): string {
  return (
    found
      .map(
        (f) =>
          `${f.blockId}/${f.actionId} (${f.element.type}${textOf(f.element.text) ? ` "${textOf(f.element.text)}"` : ''})`,
      )
      .join(', ') || 'none'
  );
}

/** The `actions[0]` entry Slack sends for an element. */
export function actionEntry(found: FoundElement, selected: string | readonly string[] | undefined): JsonObject {
  const { element } = found;
  const base: JsonObject = {
    type: element.type,
    action_id: found.actionId,
    block_id: found.blockId,
    action_ts: actionTs(),
  };
  if (element.type === 'button' || element.type === 'workflow_button') return buttonEntry(base, element);
  const picks = selected === undefined ? [] : typeof selected === 'string' ? [selected] : [...selected];
  addSelection(base, found, picks);
  if (isRecord(element.placeholder)) base.placeholder = element.placeholder;
  return base;
}

/** A button's entry: its text (with Slack's `emoji: true`), value, style and url. */
function buttonEntry(base: JsonObject, element: BlockElement): JsonObject {
  const text: JsonObject = isRecord(element.text) ? { ...element.text } : { type: 'plain_text', text: '' };
  if (text.type === 'plain_text' && text.emoji === undefined) text.emoji = true;
  base.text = text;
  if (typeof element.value === 'string') base.value = element.value;
  if (typeof element.style === 'string') base.style = element.style;
  if (typeof element.url === 'string') base.url = element.url;
  return base;
}

/** What the user picked, in the field Slack uses for the element's type (options by value or by text). */
function addSelection(base: JsonObject, found: FoundElement, picks: string[]): void {
  const option = (wanted: string): SlackOption => {
    const options = optionsIn(found.element);
    const match = options.find((o) => o.value === wanted) ?? options.find((o) => o.text.text === wanted);
    if (!match) throw new Error(`${found.blockId}/${found.actionId}: no option ${JSON.stringify(wanted)}`);
    return match;
  };
  switch (found.element.type) {
    case 'static_select':
    case 'external_select':
    case 'radio_buttons':
    case 'overflow':
      base.selected_option = picks[0] === undefined ? null : option(picks[0]);
      break;
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      base.selected_options = picks.map(option);
      break;
    case 'users_select':
      base.selected_user = picks[0] ?? null;
      break;
    case 'multi_users_select':
      base.selected_users = picks;
      break;
    case 'conversations_select':
      base.selected_conversation = picks[0] ?? null;
      break;
    case 'channels_select':
      base.selected_channel = picks[0] ?? null;
      break;
    case 'datepicker':
      base.selected_date = picks[0] ?? null;
      break;
    case 'timepicker':
      base.selected_time = picks[0] ?? null;
      break;
    default:
      if (picks[0] !== undefined) base.value = picks[0];
  }
}

/** An element's options, flattening option_groups (looser than blocks.ts optionsOf: the text need not be a text object). */
function optionsIn(element: BlockElement): SlackOption[] {
  const out: SlackOption[] = [];
  const add = (list: unknown): void => {
    if (!Array.isArray(list)) return;
    for (const o of list)
      if (isRecord(o) && typeof o.value === 'string' && isRecord(o.text)) out.push(o as SlackOption);
  };
  add(element.options);
  if (Array.isArray(element.option_groups)) for (const g of element.option_groups) if (isRecord(g)) add(g.options);
  return out;
}

/** Now, as a Slack ts (`seconds.micros`). */
export function actionTs(): string {
  const now = Date.now();
  return `${Math.floor(now / 1000)}.${String((now % 1000) * 1000).padStart(6, '0')}`;
}
