// Slash commands: /can-i-use.
import { answer } from '../../../service/answer.ts';
import { recordQuestion } from '../../../service/report.ts';
import { COMMAND } from '../../ids.ts';
import { answerView } from '../../render/answer.ts';
import type { SlackDeps } from '../shared.ts';
import type { ListenerApp } from '../routes.ts';

export function register(app: ListenerApp, { ctx }: SlackDeps): void {
  // The answer goes back in the acknowledgement itself: one round trip, ephemeral by default.
  app.command(COMMAND, async ({ command, ack }) => {
    const result = await answer(ctx, command.text ?? '', { user: command.user_id, team: command.team_id });
    await ack({ response_type: 'ephemeral', ...answerView(result, command.command) });
    // After the ack, into the store's buffer: recording demand never delays an answer.
    await recordQuestion(ctx, command.text ?? '', { user: command.user_id }, result);
  });
}
