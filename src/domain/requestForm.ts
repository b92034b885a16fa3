// The exception request form's limits. Every entry point that files a request (the modal, and
// anything after it) goes through `checkRequestForm`, inside `requestException`, so none can skip it.
import { DATA_CLASSES, RULES, type DataClass } from './exceptions.ts';
import { cleanUserText } from './text.ts';

/** What a person typed or chose, before it is checked: the duration may be anything they typed. */
export interface RequestFormInput {
  justification: string;
  usage: string;
  /** The chosen option's value, or null when nothing was chosen. */
  dataClass: string | null;
  /** The number of days: as typed ("30", "", "abc"), or a number from a caller that has one. */
  durationDays: string | number;
}

export interface RequestFormValues {
  justification: string;
  usage: string;
  dataClass: DataClass;
  durationDays: number;
}

export type RequestFormField = keyof RequestFormInput;
export type RequestFormErrors = Partial<Record<RequestFormField, string>>;

export type RequestFormCheck = { ok: true; values: RequestFormValues } | { ok: false; errors: RequestFormErrors };

const isDataClass = (value: string | null): value is DataClass =>
  (DATA_CLASSES as readonly string[]).includes(value ?? '');

const wholeDays = (value: string | number): number => {
  if (typeof value === 'number') return value;
  const raw = value.trim();
  return /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
};

/** Each problem in words the person can act on, keyed by the field it concerns. */
export function checkRequestForm(input: RequestFormInput, maxDays: number): RequestFormCheck {
  const errors: RequestFormErrors = {};
  // Counted and kept as people will read it: invisible characters are not content.
  const justification = cleanUserText(input.justification).trim();
  if (justification.length < RULES.justificationMin) {
    errors.justification = `Please write at least ${RULES.justificationMin} characters: why you need this tool, and why the approved alternatives won't do the job.`;
  } else if (justification.length > RULES.justificationMax) {
    errors.justification = `At most ${RULES.justificationMax} characters, please.`;
  }
  const usage = cleanUserText(input.usage).trim();
  if (!usage) errors.usage = 'Name the project or repository.';
  else if (usage.length > RULES.usageMax) errors.usage = `At most ${RULES.usageMax} characters, please.`;
  const dataClass = input.dataClass;
  if (!isDataClass(dataClass)) errors.dataClass = 'Choose the most sensitive data the tool will touch.';
  const days = wholeDays(input.durationDays);
  if (!Number.isInteger(days) || days < 1) errors.durationDays = 'Enter a whole number of days, at least 1.';
  else if (days > maxDays) errors.durationDays = `At most ${maxDays} days for this tool.`;
  if (Object.keys(errors).length || !isDataClass(dataClass)) return { ok: false, errors };
  return { ok: true, values: { justification, usage, dataClass, durationDays: days } };
}
