// Words and dates the renderers share.
import type { DataClass } from '../../domain/exceptions.ts';
import type { ApproverGroup } from '../../domain/types.ts';

export const DATA_CLASS_LABELS: Record<DataClass, string> = {
  public: 'Public',
  internal: 'Internal',
  confidential: 'Confidential',
  restricted: 'Restricted',
};

/**
 * Groups by id, as the registry has them now; a group since removed is shown by its id.
 * `usergroupId`: the S… id of the Slack user group it names (a handle resolved), for a mention.
 */
export type GroupDirectory = ReadonlyMap<string, ApproverGroup & { usergroupId?: string | null }>;
export const groupName = (groups: GroupDirectory, id: string): string => groups.get(id)?.name ?? id;

/**
 * The Slack user group of a group as a mention (`<!subteam^S0SEC>`, shown as its @handle, so people
 * can see who is in it), or '' when it names none. The id is checked: it goes into mrkdwn as it is.
 */
export const groupMention = (groups: GroupDirectory, id: string): string => {
  const ug = groups.get(id)?.usergroupId;
  return ug && /^S[A-Z0-9]+$/.test(ug) ? `<!subteam^${ug}>` : '';
};

/** 2026-12-01 */
export const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '?');
/** 2026-12-01 09:00 UTC */
export const when = (iso: string | null): string => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '?');

// Made when first needed: building it loads ICU's region names, about 25 ms of a start.
let countryNames: Intl.DisplayNames | null = null;
// Intl's look-up costs several microseconds an answer; the codes are a few hundred at most.
const countryNameOf = new Map<string, string>();
/** "United States" for US: people should not have to know ISO codes. */
export const countryName = (code: string): string => {
  let name = countryNameOf.get(code);
  if (name !== undefined) return name;
  try {
    countryNames ??= new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
    name = countryNames.of(code) ?? code;
  } catch {
    name = code; // not a region code Intl knows
  }
  if (countryNameOf.size < 1000) countryNameOf.set(code, name);
  return name;
};
