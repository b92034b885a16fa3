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
  /** App Home: "I'm away" (opens the absence form), and ending an absence. */
  setAbsence: 'set_absence',
  clearAbsence: 'clear_absence',
  /** On a review request's post (value: the review id). */
  reviewClassify: 'review_classify',
  reviewSameAs: 'review_same_as',
  reviewReject: 'review_reject',
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
  absence: 'absence',
  notice: 'notice',
  /** Asking for a review of a tool not in the registry. */
  review: 'tool_review',
  classify: 'review_classify',
  sameAs: 'review_same_as',
  reject: 'review_reject',
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
  awayFrom: 'away_from',
  awayUntil: 'away_until',
  delegate: 'delegate',
  reviewName: 'review_name',
  reviewVendor: 'review_vendor',
  sameAsTool: 'same_as_tool',
  editStatus: 'edit_status',
  editRisk: 'edit_risk',
  editReason: 'edit_reason',
} as const;

/** The tool form's input blocks: `tool:` and the field as the registry file spells it (`tool:regions.cn.status`). */
export const TOOL_FIELD_PREFIX = 'tool:';

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
  absence: 'absence',
  reviewDecision: 'review_decision',
  toolAdmin: 'tool_admin',
} as const;
