/**
 * Block Kit helpers shared by the Slack stand-in (server.ts) and the request driver (driver.ts):
 * locating interactive elements, filling in the ids Slack generates, validating the limits Slack
 * enforces, and building `state.values` the way a Slack client does when a user fills in a view.
 *
 * No dependency on the bot's code.
 */
import { createHash } from 'node:crypto';

export type JsonObject = Record<string, unknown>;

export interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
  verbatim?: boolean;
}

export interface SlackBlock {
  type: string;
  block_id?: string;
  [key: string]: unknown;
}

export interface BlockElement {
  type: string;
  action_id?: string;
  [key: string]: unknown;
}

export interface SlackOption {
  text: TextObject;
  value: string;
  [key: string]: unknown;
}

/** One element's entry in `view.state.values[block_id][action_id]`. */
export interface ElementState {
  type: string;
  [key: string]: unknown;
}

export type StateValues = Record<string, Record<string, ElementState>>;

/** What a test "types" or "picks" into an element; see buildStateValues. */
export type InputValue = string | number | boolean | null | readonly string[];

/** `{ [block_id]: { [action_id]: value } }`, or `{ [block_id]: value }` when the block has one element. */
export type InputValues = Record<string, InputValue | Record<string, InputValue>>;

export interface FoundElement {
  block: SlackBlock;
  blockId: string;
  element: BlockElement;
  actionId: string;
}

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isBlock(value: unknown): value is SlackBlock {
  return isRecord(value) && typeof value.type === 'string';
}

function isElement(value: unknown): value is BlockElement {
  return isRecord(value) && typeof value.type === 'string';
}

function isTextObject(value: unknown): value is TextObject {
  return isRecord(value) && (value.type === 'plain_text' || value.type === 'mrkdwn') && typeof value.text === 'string';
}

function isOption(value: unknown): value is SlackOption {
  return isRecord(value) && isTextObject(value.text) && typeof value.value === 'string';
}

/** Narrows an unknown (e.g. a parsed request field) to an array of blocks, or undefined. */
export function asBlocks(value: unknown): SlackBlock[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter(isBlock);
}

export function textOf(value: unknown): string | undefined {
  return isTextObject(value) ? value.text : undefined;
}

const NON_INTERACTIVE_ELEMENTS = new Set(['image', 'plain_text', 'mrkdwn']);

/** The interactive elements of one block (actions/context_actions elements, section accessory, input element). */
export function elementsOf(block: SlackBlock): BlockElement[] {
  const out: BlockElement[] = [];
  if ((block.type === 'actions' || block.type === 'context_actions') && Array.isArray(block.elements)) {
    for (const el of block.elements) if (isElement(el)) out.push(el);
  }
  if (block.type === 'section' && isElement(block.accessory) && !NON_INTERACTIVE_ELEMENTS.has(block.accessory.type)) {
    out.push(block.accessory);
  }
  if (block.type === 'input' && isElement(block.element)) out.push(block.element);
  return out;
}

/** Every interactive element in `blocks`, with its block id and action id. */
export function allElements(blocks: readonly SlackBlock[]): FoundElement[] {
  const out: FoundElement[] = [];
  for (const block of blocks) {
    for (const element of elementsOf(block)) {
      out.push({
        block,
        blockId: block.block_id ?? '',
        element,
        actionId: element.action_id ?? '',
      });
    }
  }
  return out;
}

function shortId(seed: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const digest = createHash('sha256').update(seed).digest();
  let id = '';
  for (let i = 0; i < 5; i++) id += alphabet[(digest[i] ?? 0) % alphabet.length];
  return id;
}

/**
 * Returns a deep copy of `blocks` in which, as Slack does, every block has a `block_id` and
 * every interactive element an `action_id` (generated when the app left them out).
 */
export function withGeneratedIds(blocks: readonly SlackBlock[]): SlackBlock[] {
  const copy = structuredClone(blocks) as SlackBlock[];
  copy.forEach((block, index) => {
    if (typeof block.block_id !== 'string' || block.block_id === '') {
      block.block_id = shortId(`${index}:${JSON.stringify(block)}`);
    }
    elementsOf(block).forEach((element, elIndex) => {
      if (typeof element.action_id !== 'string' || element.action_id === '') {
        element.action_id = shortId(`${block.block_id}:${elIndex}:${JSON.stringify(element)}`);
      }
    });
  });
  return copy;
}

export type Surface = 'message' | 'modal' | 'home';

/**
 * Checks the Block Kit limits Slack enforces (so that a payload the real Slack would reject is
 * rejected here too). Returns human-readable problems; empty when the blocks are acceptable.
 */
export function validateBlocks(blocks: readonly unknown[], surface: Surface): string[] {
  const problems: string[] = [];
  const maxBlocks = surface === 'message' ? 50 : 100;
  if (blocks.length > maxBlocks) problems.push(`too many blocks: ${blocks.length} > ${maxBlocks}`);
  const blockIds = new Set<string>();
  blocks.forEach((raw, i) => {
    if (!isBlock(raw)) {
      problems.push(`blocks[${i}]: not a block object with a type`);
      return;
    }
    const where = `blocks[${i}] (${raw.type}${raw.block_id ? ` ${raw.block_id}` : ''})`;
    problems.push(
      ...blockIdProblems(raw, where, blockIds),
      ...blockProblems(raw, where),
      ...elementProblems(raw, where),
    );
  });
  return problems;
}

/** `[where: text longer than max]` when `value` is a text object over `max` characters. */
function textTooLong(where: string, value: unknown, max: number): string[] {
  const text = textOf(value);
  return text !== undefined && text.length > max ? [`${where}: text longer than ${max} characters`] : [];
}

/** A block_id must be a short string, unique among the blocks (`seen` collects them). */
function blockIdProblems(raw: SlackBlock, where: string, seen: Set<string>): string[] {
  if (raw.block_id === undefined) return [];
  if (typeof raw.block_id !== 'string' || raw.block_id.length > 255) {
    return [`${where}: block_id must be a string of at most 255 characters`];
  }
  if (seen.has(raw.block_id)) return [`${where}: duplicate block_id ${raw.block_id}`];
  seen.add(raw.block_id);
  return [];
}

/** The limits of each block type: text lengths and element counts. */
function blockProblems(raw: SlackBlock, where: string): string[] {
  const problems: string[] = [];
  if (raw.type === 'section') {
    if (raw.text === undefined && raw.fields === undefined) problems.push(`${where}: section needs text or fields`);
    problems.push(...textTooLong(`${where}.text`, raw.text, 3000));
    if (Array.isArray(raw.fields)) {
      if (raw.fields.length > 10) problems.push(`${where}: more than 10 fields`);
      raw.fields.forEach((f, j) => problems.push(...textTooLong(`${where}.fields[${j}]`, f, 2000)));
    }
  }
  if (raw.type === 'header') {
    if (!isTextObject(raw.text) || raw.text.type !== 'plain_text')
      problems.push(`${where}: header text must be plain_text`);
    problems.push(...textTooLong(`${where}.text`, raw.text, 150));
  }
  if (raw.type === 'actions') {
    if (!Array.isArray(raw.elements) || raw.elements.length === 0)
      problems.push(`${where}: actions block needs elements`);
    else if (raw.elements.length > 25) problems.push(`${where}: more than 25 elements`);
  }
  if (raw.type === 'context') {
    if (!Array.isArray(raw.elements) || raw.elements.length === 0)
      problems.push(`${where}: context block needs elements`);
    else if (raw.elements.length > 10) problems.push(`${where}: more than 10 elements`);
  }
  if (raw.type === 'input') {
    if (!isTextObject(raw.label)) problems.push(`${where}: input block needs a plain_text label`);
    problems.push(...textTooLong(`${where}.label`, raw.label, 2000));
    if (!isElement(raw.element)) problems.push(`${where}: input block needs an element`);
  }
  return problems;
}

/** The limits of a block's interactive elements: action ids unique in the block, buttons, options. */
function elementProblems(raw: SlackBlock, where: string): string[] {
  const problems: string[] = [];
  const actionIds = new Set<string>();
  for (const element of elementsOf(raw)) {
    const elWhere = `${where} element ${element.type}${element.action_id ? ` ${element.action_id}` : ''}`;
    if (element.action_id !== undefined) {
      if (typeof element.action_id !== 'string' || element.action_id.length > 255) {
        problems.push(`${elWhere}: action_id must be a string of at most 255 characters`);
      } else if (actionIds.has(element.action_id)) {
        problems.push(`${elWhere}: duplicate action_id in block`);
      } else {
        actionIds.add(element.action_id);
      }
    }
    if (element.type === 'button') problems.push(...buttonProblems(element, elWhere));
    const options = optionsOf(element);
    if (options.length > 100) problems.push(`${elWhere}: more than 100 options`);
    for (const option of options) {
      problems.push(...textTooLong(`${elWhere} option`, option.text, 75));
      if (option.value.length > 150)
        problems.push(`${elWhere} option ${option.value}: value longer than 150 characters`);
    }
  }
  return problems;
}

function buttonProblems(element: BlockElement, elWhere: string): string[] {
  const problems: string[] = [];
  if (!isTextObject(element.text) || element.text.type !== 'plain_text') {
    problems.push(`${elWhere}: button text must be plain_text`);
  }
  problems.push(...textTooLong(`${elWhere}.text`, element.text, 75));
  if (typeof element.value === 'string' && element.value.length > 2000) {
    problems.push(`${elWhere}: value longer than 2000 characters`);
  }
  if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
    problems.push(`${elWhere}: style must be primary or danger`);
  }
  return problems;
}

/** Options of a select/radio/checkbox/overflow element, flattening option_groups. */
export function optionsOf(element: BlockElement): SlackOption[] {
  const out: SlackOption[] = [];
  if (Array.isArray(element.options)) for (const o of element.options) if (isOption(o)) out.push(o);
  if (Array.isArray(element.option_groups)) {
    for (const group of element.option_groups) {
      if (isRecord(group) && Array.isArray(group.options)) {
        for (const o of group.options) if (isOption(o)) out.push(o);
      }
    }
  }
  return out;
}

function findOption(element: BlockElement, wanted: string, where: string): SlackOption {
  const options = optionsOf(element);
  const match = options.find((o) => o.value === wanted) ?? options.find((o) => o.text.text === wanted);
  if (!match) {
    const known = options.map((o) => `${o.value} (${o.text.text})`).join(', ');
    throw new Error(`${where}: no option with value or text ${JSON.stringify(wanted)}; options: ${known || 'none'}`);
  }
  return match;
}

function asStringList(value: InputValue, where: string): string[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [String(value)];
  throw new Error(`${where}: expected a list of strings`);
}

function asSingle(value: InputValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : null;
  return String(value);
}

/** The element state a Slack client reports for `element` after the user entered `value`. */
export function elementState(element: BlockElement, value: InputValue, where: string): ElementState {
  const type = element.type;
  switch (type) {
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input':
      return { type, value: asSingle(value) };
    case 'static_select':
    case 'external_select':
    case 'radio_buttons': {
      const wanted = asSingle(value);
      return { type, selected_option: wanted === null ? null : findOption(element, wanted, where) };
    }
    case 'multi_static_select':
    case 'multi_external_select':
    case 'checkboxes':
      return { type, selected_options: asStringList(value, where).map((v) => findOption(element, v, where)) };
    case 'users_select':
      return { type, selected_user: asSingle(value) };
    case 'multi_users_select':
      return { type, selected_users: asStringList(value, where) };
    case 'conversations_select':
      return { type, selected_conversation: asSingle(value) };
    case 'multi_conversations_select':
      return { type, selected_conversations: asStringList(value, where) };
    case 'channels_select':
      return { type, selected_channel: asSingle(value) };
    case 'multi_channels_select':
      return { type, selected_channels: asStringList(value, where) };
    case 'datepicker':
      return { type, selected_date: asSingle(value) };
    case 'timepicker':
      return { type, selected_time: asSingle(value) };
    case 'datetimepicker': {
      const v = asSingle(value);
      return { type, selected_date_time: v === null ? null : Number(v) };
    }
    case 'rich_text_input': {
      const v = asSingle(value);
      return {
        type,
        rich_text_value: {
          type: 'rich_text',
          elements: v === null ? [] : [{ type: 'rich_text_section', elements: [{ type: 'text', text: v }] }],
        },
      };
    }
    default:
      return { type, value: asSingle(value) };
  }
}

/** The state an element shows before the user touches it (its initial_* value), or undefined. */
function initialValue(element: BlockElement): InputValue | undefined {
  const pick = (v: unknown): InputValue | undefined => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
    if (Array.isArray(v)) return v.map(String);
    return undefined;
  };
  if (isOption(element.initial_option)) return element.initial_option.value;
  if (Array.isArray(element.initial_options)) {
    return element.initial_options.filter(isOption).map((o) => o.value);
  }
  for (const key of [
    'initial_value',
    'initial_user',
    'initial_users',
    'initial_conversation',
    'initial_conversations',
    'initial_channel',
    'initial_channels',
    'initial_date',
    'initial_time',
    'initial_date_time',
  ]) {
    const v = pick(element[key]);
    if (v !== undefined) return v;
  }
  return undefined;
}

function isEmptyState(state: ElementState): boolean {
  for (const [key, v] of Object.entries(state)) {
    if (key === 'type') continue;
    if (v === null || v === '' || (Array.isArray(v) && v.length === 0)) return true;
    if (key === 'rich_text_value' && isRecord(v) && Array.isArray(v.elements) && v.elements.length === 0) return true;
  }
  return false;
}

export interface BuiltState {
  values: StateValues;
  /** What a Slack client would refuse to submit (required field empty, number out of range, ...). */
  clientErrors: Record<string, string>;
}

/**
 * Builds `state.values` for `blocks` as a Slack client would after the user entered `values`.
 * Input blocks are always present (untouched ones carry their initial value or null);
 * stateful elements elsewhere only when given a value or an initial value.
 * Throws when `values` names a block/action that is not in the blocks, or an option that doesn't exist.
 */
export function buildStateValues(blocks: readonly SlackBlock[], values: InputValues = {}): BuiltState {
  const state: StateValues = {};
  const clientErrors: Record<string, string> = {};
  const remaining = new Set(Object.keys(values));
  for (const block of blocks) {
    const elements = elementsOf(block).filter(
      (e) => e.type !== 'button' && e.type !== 'overflow' && e.type !== 'workflow_button',
    );
    const blockId = block.block_id ?? '';
    if (elements.length === 0) continue;
    const given = values[blockId];
    remaining.delete(blockId);
    const perAction: Record<string, InputValue> = {};
    if (given !== undefined) {
      if (isRecord(given)) {
        for (const [actionId, v] of Object.entries(given)) {
          if (!elements.some((e) => e.action_id === actionId)) {
            throw new Error(
              `block ${blockId}: no element with action_id ${actionId}; elements: ${elements.map((e) => e.action_id ?? '?').join(', ')}`,
            );
          }
          perAction[actionId] = v;
        }
      } else {
        const only = elements[0];
        if (elements.length !== 1 || !only) {
          throw new Error(`block ${blockId} has ${elements.length} elements; give values as { [action_id]: value }`);
        }
        perAction[only.action_id ?? ''] = given;
      }
    }
    for (const element of elements) {
      const actionId = element.action_id ?? '';
      const where = `block ${blockId} / ${actionId} (${element.type})`;
      const explicit = perAction[actionId];
      const initial = initialValue(element);
      const value: InputValue | undefined = explicit !== undefined ? explicit : initial;
      if (value === undefined && block.type !== 'input') continue;
      const elState = elementState(element, value ?? null, where);
      (state[blockId] ??= {})[actionId] = elState;
      if (block.type === 'input') {
        const problem = clientCheck(block, element, elState);
        if (problem) clientErrors[blockId] = problem;
      }
    }
  }
  if (remaining.size > 0) {
    const known = blocks.filter((b) => elementsOf(b).length > 0).map((b) => b.block_id ?? '?');
    throw new Error(`no block with block_id ${[...remaining].join(', ')}; blocks with inputs: ${known.join(', ')}`);
  }
  return { values: state, clientErrors };
}

function clientCheck(block: SlackBlock, element: BlockElement, state: ElementState): string | undefined {
  if (isEmptyState(state)) return block.optional === true ? undefined : 'required field is empty';
  const value = state.value;
  if (typeof value !== 'string') return undefined;
  if (element.type === 'number_input') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) return `not a number: ${value}`;
    if (element.is_decimal_allowed !== true && !Number.isInteger(n)) return `not a whole number: ${value}`;
    const min = numberBound(element.min_value);
    if (min && n < min.value) return `below minimum ${min.text}`;
    const max = numberBound(element.max_value);
    if (max && n > max.value) return `above maximum ${max.text}`;
  }
  if (element.type === 'plain_text_input') {
    if (typeof element.min_length === 'number' && value.length < element.min_length) {
      return `shorter than ${element.min_length} characters`;
    }
    const max = typeof element.max_length === 'number' ? element.max_length : 3000;
    if (value.length > max) return `longer than ${max} characters`;
  }
  return undefined;
}

/**
 * A number_input's min_value / max_value. Block Kit gives them as strings; a JSON number is taken
 * as well. Anything else is not a bound Block Kit allows, so it is ignored rather than compared
 * through Number() and shown as "[object Object]".
 */
function numberBound(bound: unknown): { value: number; text: string } | undefined {
  if (typeof bound === 'string') return { value: Number(bound), text: bound };
  if (typeof bound === 'number') return { value: bound, text: String(bound) };
  return undefined;
}
