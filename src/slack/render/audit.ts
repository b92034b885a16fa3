// The audit log's head, posted to the audit channel every day: a record outside the database that
// `toolgate audit verify --anchor "<the post's text>"` checks the log against.
import { headAnnouncement, type Anchor } from '../../domain/audit.ts';
import { context, section, type MessageView } from './blocks.ts';
import { escapeMrkdwn as esc } from './mrkdwn.ts';

export function auditHeadMessage(h: Anchor & { at: string }): MessageView {
  const text = headAnnouncement(h);
  return {
    text: esc(text),
    blocks: [
      section(esc(text)),
      context(
        esc(
          `Keep this message. toolgate audit verify --anchor "${text}" proves the audit log up to entry ${h.entry} was not rewritten since.`,
        ),
      ),
    ],
  };
}
