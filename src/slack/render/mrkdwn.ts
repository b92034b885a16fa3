import { cleanUserText, cutText } from '../../domain/text.ts';

// Slack mrkdwn treats & < > as control characters: `<!channel>` pings everyone. Everything that
// came from a user or the registry goes through here, and loses any invisible or bidi control
// characters on the way, so nobody is shown text reordered or hidden by whoever wrote it.
const MRKDWN_CONTROL = /[&<>]/;

export function escapeMrkdwn(text: string): string {
  const clean = cleanUserText(text);
  // Most text has none of the three: one test instead of three passes (every answer escapes a dozen strings).
  return MRKDWN_CONTROL.test(clean) ? clean.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : clean;
}

/** A link whose label and address are both escaped; `|` would end the address early. */
export function mrkdwnLink(url: string, label: string): string {
  return `<${escapeMrkdwn(url).replace(/\|/g, '%7C')}|${escapeMrkdwn(label)}>`;
}

/** Plain text fields have hard limits; cut with an ellipsis rather than be rejected. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${cutText(text, max - 1)}…`;
}

export const userMention = (user: string): string => `<@${user.replace(/[^A-Z0-9]/gi, '')}>`;

/** Who did something: a Slack user as a mention, anyone else (`cli:alice`, `system`) by name. */
export const actorName = (actor: string): string =>
  /^[UW][A-Z0-9]{2,}$/.test(actor) ? userMention(actor) : `\`${escapeMrkdwn(actor).replace(/`/g, '\u02cb')}\``;

/**
 * Text a person typed, echoed back as inline code: `*bold*` or `_x_` in a query must not turn the
 * rest of the sentence bold. A backtick would end the code early, so it becomes a look-alike.
 */
export const echoed = (text: string): string => `\`${escapeMrkdwn(text).replace(/`/g, '\u02cb')}\``;
