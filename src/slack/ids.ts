// Every action id, callback id and input block id the bot's views carry, in one place: the
// renderers write them and the listeners match on them, so the two cannot drift apart.

/** The slash command, as manifest.yml declares it. */
export const COMMAND = '/can-i-use';

/** Buttons and other interactive elements (action_id). */
export const ACTION = {
  requestException: 'request_exception',
  requestReview: 'request_review',
  /** Followed by `_<n>`: one button per tool offered. */
  chooseTool: 'choose_tool',
  approve: 'approve_stage',
  deny: 'deny_stage',
  cancel: 'cancel_request',
  revoke: 'revoke_exception',
  renew: 'renew_exception',
  /** Under a tool's answer (issue 12): its classification over time, and reclassifying it. */
  toolHistory: 'tool_history',
  editTool: 'edit_tool',
} as const;

/** Modals (callback_id), matched by the view-submission listeners. */
export const CALLBACK = {
  request: 'exception_request',
  approve: 'approve_stage',
  deny: 'deny_stage',
  revoke: 'revoke_exception',
  notice: 'notice',
  /** Reclassifying a tool: the change, then the impact to confirm. */
  editTool: 'edit_tool',
  editToolConfirm: 'edit_tool_confirm',
  toolHistory: 'tool_history',
} as const;

/** Input blocks of the modals (block_id); Slack keys submitted values and field errors by them. */
export const INPUT = {
  justification: 'justification',
  usage: 'usage',
  dataClass: 'data_class',
  duration: 'duration',
  note: 'note',
  reason: 'reason',
  editStatus: 'edit_status',
  editRisk: 'edit_risk',
  editReason: 'edit_reason',
} as const;

/** The Edit modal's per-region status inputs: this prefix, then the region id. */
export const EDIT_REGION_PREFIX = 'edit_region_';

export type InputBlockId = (typeof INPUT)[keyof typeof INPUT];

/** The action_id of the single element inside each input block. */
export const INPUT_ELEMENT = 'value';

/** Actions blocks (block_id). */
export const BLOCK = {
  chooseTool: 'choose_tool',
  suggestions: 'suggestions',
  review: 'review',
  exception: 'exception',
  decision: 'decision',
  admin: 'admin',
  request: 'request',
  renewal: 'renewal',
  toolAdmin: 'tool_admin',
} as const;
