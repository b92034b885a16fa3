/** team.profile.get: the workspace's custom profile fields, so an app can map labels (Office) to ids (Xf…). */
import { nonEmpty } from '../args.ts';
import type { JsonObject } from '../blocks.ts';
import { SCOPES, requireScope } from '../directory.ts';
import { invalid } from '../replies.ts';
import { clone, type StandInState } from '../state.ts';

const VISIBILITIES = ['all', 'visible', 'hidden'] as const;

export function teamProfileGet(state: StandInState, args: JsonObject): JsonObject {
  requireScope(state, SCOPES.profileRead);
  const visibility = nonEmpty(args.visibility) ?? 'all';
  if (!(VISIBILITIES as readonly string[]).includes(visibility)) {
    throw invalid('invalid_arguments', [`visibility must be one of ${VISIBILITIES.join(', ')}`]);
  }
  const fields = state.profileFields.filter((f) =>
    visibility === 'all' ? true : visibility === 'hidden' ? f.is_hidden === true : f.is_hidden !== true,
  );
  return { profile: { fields: clone(fields) as unknown as JsonObject[] } };
}
