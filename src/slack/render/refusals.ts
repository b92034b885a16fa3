// Why nothing happened, in words a person can act on.
import type { DecisionRefusal, EndRefusal, RequestRefusal } from '../../domain/exceptions.ts';
import type { ReviewRefusal } from '../../domain/review.ts';
import { escapeMrkdwn as esc, userMention as at } from './mrkdwn.ts';

const when = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : 'earlier');

export function requestRefusalText(
  r: RequestRefusal | { kind: 'unknown_tool' },
  toolName: string,
  reviewChannel: string | null,
): string {
  const tool = `*${esc(toolName)}*`;
  const contact = reviewChannel ? `<#${reviewChannel}>` : 'the security team';
  switch (r.kind) {
    case 'unknown_tool':
      return 'That tool is no longer in the registry. Try `/can-i-use` again.';
    case 'prohibited':
      return `${tool} is *Prohibited* for your region, so no exceptions are granted. If you think the policy is wrong, talk to ${contact}.`;
    case 'not_needed':
      return `No exception needed: ${tool} is *${esc(r.label)}* for you.`;
    case 'open_for_tool':
      return `You already have request #${r.requestId} open for ${tool}. Wait for the decision, or cancel it from the toolgate Home tab.`;
    case 'too_many_open':
      return `You have ${r.open} open requests, the most allowed at once. Cancel one or wait for decisions, then ask again.`;
    case 'already_active':
      return `You already hold exception #${r.requestId} for ${tool} until ${r.expiresAt.slice(0, 10)}. A renewal can be requested in its last two weeks.`;
    case 'duration_too_long':
      return `At most ${r.max} days can be requested for ${tool}.`;
  }
}

export function decisionRefusalText(
  r: DecisionRefusal | { kind: 'not_found' },
  groupName: (id: string) => string,
): string {
  switch (r.kind) {
    case 'not_found':
      return 'That request does not exist.';
    case 'not_approver':
      return `You are not an approver for this stage: it is decided by members of *${esc(groupName(r.groupId))}*.`;
    case 'own_request':
      return 'You cannot decide your own request.';
    case 'decided_other_stage':
      return `You already decided stage ${r.position + 1} of this request; another person must decide this one (four eyes).`;
    case 'principal_own_request':
      return `You stand in for ${at(r.principal)}, but this is their own request: nobody decides their own request, in person or by a delegate.`;
    case 'principal_decided_other_stage':
      return `You stand in for ${at(r.principal)}, who already took part in stage ${r.position + 1} of this request; another person must decide this one (four eyes).`;
    case 'stale_stage':
      return `This stage was already decided: ${r.decision} by ${at(r.decidedBy ?? '')} on ${when(r.decidedAt)}. Nothing changed.`;
    case 'not_pending':
      return r.decidedBy
        ? `This request is already ${r.status}: ${r.decision ?? 'decided'} by ${at(r.decidedBy)} on ${when(r.decidedAt)}. Nothing changed.`
        : `This request is already ${r.status}. Nothing changed.`;
    case 'reason_required':
      return 'Please give a reason (at least a few words); the requester will see it.';
    case 'note_too_long':
      return `At most ${r.max} characters, please.`;
    case 'not_started':
      return `This stage has not started yet: *${esc(groupName(r.groupId))}* decides after the stages before it.`;
  }
}

export function endRefusalText(r: EndRefusal | { kind: 'not_found' }): string {
  switch (r.kind) {
    case 'not_found':
      return 'That request does not exist.';
    case 'not_requester':
      return 'Only the person who filed a request can cancel it.';
    case 'not_admin':
      return 'Only toolgate admins can revoke an exception.';
    case 'wrong_status':
      return `Nothing changed: the request is ${r.status}.`;
    case 'reason_required':
      return 'Please give a reason (at least a few words); the holder will see it.';
    case 'reason_too_long':
      return `At most ${r.max} characters, please.`;
  }
}

export function reviewRefusalText(r: ReviewRefusal): string {
  switch (r.kind) {
    case 'no_review_channel':
      return 'No review channel is configured yet. Please ask the security team directly.';
    case 'empty':
      return 'That button carried no tool name. Ask again with /can-i-use &lt;tool&gt;.';
    case 'too_many':
      return `You have asked for ${r.max} reviews in the last hour, the most at once; the security team has them. Please wait before asking for more.`;
    case 'already_asked':
      return `The security team has already been asked to review *${esc(r.query)}*. Until it is reviewed, please don't use it for company work.`;
  }
}
