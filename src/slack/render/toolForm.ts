// The tool form: every field of a registry tool as modal inputs, and the way back from the
// submitted view state to a tool entry as the registry file spells it (checked by parseToolEntry,
// exactly as an import checks it). Used by Classify; written to serve an Edit modal as well.
import type { InputBlock, KnownBlock, ModalView, PlainTextOption } from '@slack/types';
import { assessmentLine, assessTool, rubricSettings, type AssessedFacts } from '../../domain/rubric.ts';
import type { ToolFileEntry } from '../../domain/registrySchema.ts';
import {
  categoryName,
  regionName,
  RISK_CLASSES,
  RISK_LABELS,
  STATUS_LABELS,
  TOOL_ID,
  TOOL_STATUSES,
  type Registry,
} from '../../domain/types.ts';
import { INPUT_ELEMENT, TOOL_FIELD_PREFIX } from '../ids.ts';
import { context, input, plain } from './blocks.ts';
import { clip, escapeMrkdwn as esc } from './mrkdwn.ts';

/** Slack's limits for a modal: 100 blocks, 100 options a select, 75 characters an option's text. */
const MAX_BLOCKS = 100;
const MAX_OPTIONS = 100;
const OPTION_TEXT_MAX = 75;
const TITLE_MAX = 24;

/** The fact fields that are yes / no / not known. */
const BOOLEAN_FACTS = [
  ['data.sends_code_externally', 'Sends code or prompts outside the company?'],
  ['data.trains_on_inputs', 'Trains on inputs by default?'],
  ['data.self_hostable', 'Can be self-hosted?'],
  ['open_weights', 'Open weights?'],
  ['export_controlled', 'On an export-control or sanctions list?'],
  ['cn_filing', "Filed under China's generative-AI rules?"],
] as const;

export const toolBlockId = (field: string): string => `${TOOL_FIELD_PREFIX}${field}`;

/** What the form opens with: any part of a tool entry (a review's name and vendor, or a whole stored tool). */
export type ToolFormInitial = Partial<ToolFileEntry>;

export interface ToolFormOptions {
  callbackId: string;
  title: string;
  submit: string;
  /** Carried back with the submission, e.g. `{ reviewId }`. */
  meta: unknown;
  /** What to show above the fields (the request being classified, say). */
  intro: KnownBlock[];
  /** The id cannot change once a tool exists (Edit): shown, not asked. */
  fixedId?: boolean;
}

const option = (value: string, text: string): PlainTextOption => ({ text: plain(text, OPTION_TEXT_MAX), value });
const yesNo = [option('yes', 'Yes'), option('no', 'No')];

function textField(
  field: string,
  label: string,
  opts: {
    initial?: string | undefined;
    optional?: boolean;
    multiline?: boolean;
    max?: number;
    hint?: string;
    placeholder?: string;
  },
): InputBlock {
  return input(
    toolBlockId(field),
    label,
    {
      type: 'plain_text_input',
      action_id: INPUT_ELEMENT,
      ...(opts.multiline && { multiline: true }),
      ...(opts.initial && { initial_value: clip(opts.initial, opts.max ?? 3000) }),
      ...(opts.max !== undefined && { max_length: opts.max }),
      ...(opts.placeholder && { placeholder: plain(opts.placeholder, 150) }),
    },
    { ...(opts.optional && { optional: true }), ...(opts.hint && { hint: opts.hint }) },
  );
}

function selectField(
  field: string,
  label: string,
  options: PlainTextOption[],
  opts: { initial?: string | undefined; optional?: boolean; hint?: string },
): InputBlock {
  const initial = options.find((o) => o.value === opts.initial);
  return input(
    toolBlockId(field),
    label,
    {
      type: 'static_select',
      action_id: INPUT_ELEMENT,
      placeholder: plain(opts.optional ? 'Not known / as globally' : 'Choose one'),
      options: options.slice(0, MAX_OPTIONS),
      ...(initial && { initial_option: initial }),
    },
    { ...(opts.optional && { optional: true }), ...(opts.hint && { hint: opts.hint }) },
  );
}

/** Tools or groups to pick from; past Slack's 100 options, their ids typed instead. */
function pickField(
  field: string,
  label: string,
  options: PlainTextOption[],
  initial: readonly string[] | null | undefined,
  hint: string,
): InputBlock {
  if (options.length > MAX_OPTIONS)
    return textField(field, label, {
      initial: initial?.join(', '),
      optional: true,
      hint: `${hint} Ids, separated by commas.`,
    });
  const chosen = options.filter((o) => initial?.includes(o.value ?? ''));
  return input(
    toolBlockId(field),
    label,
    {
      type: 'multi_static_select',
      action_id: INPUT_ELEMENT,
      placeholder: plain('None'),
      options: options.length ? options : [option('-', 'none to choose from')],
      ...(chosen.length && { initial_options: chosen }),
    },
    { optional: true, hint },
  );
}

const boolValue = (b: boolean | undefined): string | undefined => (b === undefined ? undefined : b ? 'yes' : 'no');

/** A tool entry's facts as the rubric reads them. */
function factsOfEntry(e: ToolFormInitial): AssessedFacts {
  return {
    vendorCountry: e.vendor_country ?? '',
    sendsCodeExternally: e.data?.sends_code_externally,
    trainsOnInputs: e.data?.trains_on_inputs,
    dataLocation: e.data?.data_location,
    selfHostable: e.data?.self_hostable,
    openWeights: e.open_weights,
    exportControlled: e.export_controlled,
    certifications: e.certifications,
    cnFiling: e.cn_filing,
    operatingEntity: e.operating_entity,
  };
}

/** The rubric's suggestion for what the form holds, and why: shown beside the risk class, the decision stays a person's. */
export function rubricHint(registry: Registry, entry: ToolFormInitial): string {
  const a = assessTool(factsOfEntry(entry), rubricSettings(registry.rubric));
  return assessmentLine(a, (r) => RISK_LABELS[r]);
}

/** The tool form as a modal: at most 100 blocks, so per-region overrides are shown for as many regions as fit. */
export function toolFormModal(registry: Registry, initial: ToolFormInitial, o: ToolFormOptions): ModalView {
  const tools = [...registry.tools]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => option(t.id, `${t.name} (${t.vendor})`));
  const groups = registry.approverGroups.map((g) => option(g.id, g.name));
  const statuses = TOOL_STATUSES.map((s) => option(s, STATUS_LABELS[s]));
  const categoryIds = [
    ...new Set([...Object.keys(registry.names.categories), ...registry.tools.map((t) => t.category)]),
  ].sort();
  const categories = categoryIds.map((c) => option(c, categoryName(registry.names, c)));
  const d = initial.data ?? {};

  const blocks: KnownBlock[] = [
    ...o.intro,
    o.fixedId
      ? context(`Id: \`${esc(initial.id ?? '')}\``)
      : textField('id', 'Id', {
          initial: initial.id,
          max: TOOL_ID.maxLength,
          hint: 'Lowercase letters, digits and hyphens, e.g. opencode. It cannot change later.',
        }),
    textField('name', 'Name', { initial: initial.name, max: 100 }),
    textField('aliases', 'Other names (aliases)', {
      initial: initial.aliases?.join(', '),
      optional: true,
      max: 1000,
      hint: 'Names people type for it, separated by commas.',
    }),
    textField('vendor', 'Vendor', { initial: initial.vendor, max: 100 }),
    textField('vendor_country', 'Vendor country', {
      initial: initial.vendor_country,
      max: 2,
      hint: 'Two-letter ISO code, e.g. US, CN, FR.',
    }),
    textField('operating_entity', 'Operating entity', {
      initial: initial.operating_entity,
      optional: true,
      max: 200,
      hint: 'Who operates the service, where it is not the vendor itself.',
    }),
    categories.length > 0 && categories.length <= MAX_OPTIONS
      ? selectField('category', 'Category', categories, { initial: initial.category })
      : textField('category', 'Category', { initial: initial.category, max: TOOL_ID.maxLength }),
    context(
      `:bulb: *Assessment rubric*, from the facts this form opened with: ${esc(rubricHint(registry, initial))} The decision is yours.`,
    ),
    selectField(
      'risk',
      'Risk class',
      RISK_CLASSES.map((r) => option(r, RISK_LABELS[r])),
      { initial: initial.risk },
    ),
    selectField('status', 'Status', statuses, { initial: initial.status }),
    textField('reason', 'Reason', {
      initial: initial.reason,
      multiline: true,
      max: 500,
      placeholder: 'Why this status: what people read first in every answer',
    }),
    textField('conditions', 'Conditions', {
      initial: initial.conditions ?? undefined,
      multiline: true,
      optional: true,
      max: 1000,
    }),
    pickField('alternatives', 'Approved alternatives', tools, initial.alternatives, 'Tools to use instead.'),
    textField('data.data_location', 'Where data is stored and processed', {
      initial: d.data_location,
      optional: true,
      max: 100,
      placeholder: 'e.g. US, EU, on-premises',
    }),
    ...BOOLEAN_FACTS.map(([field, label]) => {
      const value =
        field === 'data.sends_code_externally'
          ? d.sends_code_externally
          : field === 'data.trains_on_inputs'
            ? d.trains_on_inputs
            : field === 'data.self_hostable'
              ? d.self_hostable
              : initial[field];
      return selectField(field, label, yesNo, { initial: boolValue(value), optional: true });
    }),
    textField('certifications', 'Certifications', {
      initial: initial.certifications?.join(', '),
      optional: true,
      max: 1000,
      hint: 'e.g. ISO 27001, ISO 42001, SOC 2 Type II; separated by commas.',
    }),
    input(
      toolBlockId('facts_checked'),
      'Facts checked on',
      {
        type: 'datepicker',
        action_id: INPUT_ELEMENT,
        ...(initial.facts_checked && { initial_date: initial.facts_checked }),
      },
      { optional: true },
    ),
    textField('sources', 'Sources', {
      initial: initial.sources?.join('\n'),
      optional: true,
      multiline: true,
      max: 3000,
      hint: "The vendor's own pages the facts come from, one URL a line.",
    }),
    input(
      toolBlockId('max_exception_days'),
      'Longest exception (days)',
      {
        type: 'number_input',
        action_id: INPUT_ELEMENT,
        is_decimal_allowed: false,
        min_value: '1',
        max_value: '365',
        ...(initial.max_exception_days != null && { initial_value: String(initial.max_exception_days) }),
      },
      { optional: true, hint: 'Leave empty for the default, 90.' },
    ),
    pickField(
      'approvers',
      'Approvers',
      groups,
      initial.approvers,
      "Approver groups in order; leave empty for the risk class's chain.",
    ),
    textField('policy_url', 'Policy page', { initial: initial.policy_url ?? undefined, optional: true, max: 500 }),
    input(
      toolBlockId('reviewed'),
      'Reviewed on',
      { type: 'datepicker', action_id: INPUT_ELEMENT, ...(initial.reviewed && { initial_date: initial.reviewed }) },
      { optional: true },
    ),
  ];
  // Each region's override takes three blocks (a heading would be a fourth: the labels say the region).
  const room = Math.floor((MAX_BLOCKS - blocks.length - 1) / 3);
  const shown = registry.regions.slice(0, room);
  for (const region of shown) {
    const name = regionName(registry.names, region);
    const r = initial.regions?.[region] ?? {};
    blocks.push(
      selectField(`regions.${region}.status`, `${name}: status`, statuses, {
        initial: r.status,
        optional: true,
        hint: `Only where ${name} differs from the global entry.`,
      }),
      textField(`regions.${region}.reason`, `${name}: reason`, {
        initial: r.reason,
        optional: true,
        multiline: true,
        max: 500,
      }),
      pickField(
        `regions.${region}.alternatives`,
        `${name}: alternatives`,
        tools,
        r.alternatives,
        'As globally if empty.',
      ),
    );
  }
  if (shown.length < registry.regions.length)
    blocks.push(
      context(
        `${registry.regions.length - shown.length} more regions do not fit in one form: set their rules in the registry file.`,
      ),
    );
  return {
    type: 'modal',
    callback_id: o.callbackId,
    private_metadata: JSON.stringify(o.meta),
    title: { type: 'plain_text', text: clip(o.title, TITLE_MAX) },
    submit: { type: 'plain_text', text: clip(o.submit, TITLE_MAX) },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

// ---- From the submitted view back to a tool entry ----------------------------------------------

/** A submitted view's `state.values`: block id, then action id, then the element's state. */
type StateValues = Record<string, Record<string, unknown>>;
interface ElementValue {
  value?: string | null;
  selected_option?: { value?: string } | null;
  selected_options?: Array<{ value?: string }>;
  selected_date?: string | null;
}

const list = (text: string, separator: RegExp): string[] =>
  text
    .split(separator)
    .map((x) => x.trim())
    .filter((x) => x !== '');

/**
 * The tool entry a submitted tool form holds, as the registry file spells it: empty optional
 * fields left out, yes/no as booleans, lists split. Nothing is checked here: parseToolEntry does
 * that, exactly as an import would. `fixed`: fields the form shows but does not ask (an Edit's id).
 */
export function toolEntryFromState(
  values: StateValues,
  regions: readonly string[],
  fixed: Partial<ToolFileEntry> = {},
): ToolFileEntry {
  const el = (field: string): ElementValue | undefined =>
    values[toolBlockId(field)]?.[INPUT_ELEMENT] as ElementValue | undefined;
  const text = (field: string): string | undefined => {
    const v = el(field);
    const raw = v?.value ?? v?.selected_option?.value ?? v?.selected_date ?? undefined;
    const t = raw?.trim();
    return t ? t : undefined;
  };
  const picked = (field: string): string[] | undefined => {
    const v = el(field);
    if (!v) return undefined;
    if (v.selected_options) return v.selected_options.map((x) => x.value ?? '').filter((x) => x !== '' && x !== '-');
    return v.value ? list(v.value, /[,\s]+/) : [];
  };
  const bool = (field: string): boolean | undefined => {
    const t = text(field);
    return t === undefined ? undefined : t === 'yes';
  };
  const days = text('max_exception_days');
  const data = {
    sends_code_externally: bool('data.sends_code_externally'),
    data_location: text('data.data_location'),
    self_hostable: bool('data.self_hostable'),
    trains_on_inputs: bool('data.trains_on_inputs'),
  };
  const overrides: Record<string, NonNullable<ToolFileEntry['regions']>[string]> = {};
  for (const region of regions) {
    const o = {
      status: text(`regions.${region}.status`) as ToolFileEntry['status'] | undefined,
      reason: text(`regions.${region}.reason`),
      alternatives: picked(`regions.${region}.alternatives`),
    };
    const given = dropEmpty({ ...o, alternatives: o.alternatives?.length ? o.alternatives : undefined });
    if (Object.keys(given).length) overrides[region] = given;
  }
  const certifications = text('certifications');
  const sources = text('sources');
  const entry = dropEmpty({
    id: text('id') ?? '',
    name: text('name') ?? '',
    aliases: list(text('aliases') ?? '', /[,\n]/),
    vendor: text('vendor') ?? '',
    vendor_country: text('vendor_country')?.toUpperCase() ?? '',
    category: text('category') ?? '',
    risk: (text('risk') ?? '') as ToolFileEntry['risk'],
    status: (text('status') ?? '') as ToolFileEntry['status'],
    reason: text('reason') ?? '',
    conditions: text('conditions'),
    alternatives: picked('alternatives') ?? [],
    // A number the client let through as text stays text, for the schema to name.
    max_exception_days: days === undefined ? undefined : Number.isFinite(Number(days)) ? Number(days) : days,
    approvers: picked('approvers')?.length ? picked('approvers') : undefined,
    data: dropEmpty(data),
    operating_entity: text('operating_entity'),
    open_weights: bool('open_weights'),
    certifications: certifications ? list(certifications, /,/) : undefined,
    cn_filing: bool('cn_filing'),
    export_controlled: bool('export_controlled'),
    facts_checked: text('facts_checked'),
    sources: sources ? list(sources, /\s+/) : undefined,
    policy_url: text('policy_url'),
    reviewed: text('reviewed'),
    regions: overrides,
  });
  return { ...entry, ...fixed } as ToolFileEntry;
}

function dropEmpty<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The input block a problem belongs under (`alternatives[2]` under alternatives,
 * `regions.cn.reason` under its own), among the blocks the form has; else the name's.
 */
export function toolFieldErrors(
  errors: ReadonlyArray<{ path: string; message: string }>,
  blockIds: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { path, message } of errors) {
    const field = path.replace(/\[\d+\]$/, '').replace(/\[\d+\]\./g, '.');
    let block = toolBlockId(field);
    if (!blockIds.has(block))
      block = blockIds.has(toolBlockId(field.split('.')[0] ?? ''))
        ? toolBlockId(field.split('.')[0] ?? '')
        : toolBlockId('name');
    const text = field === path ? message : `${path}: ${message}`;
    out[block] = out[block] ? clip(`${out[block]}; ${text}`, 2000) : clip(text, 2000);
  }
  return out;
}
