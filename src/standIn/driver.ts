/**
 * Sends requests to the bot exactly as Slack does: slash commands (form-encoded), interactivity
 * payloads (`payload=<json>`) and Events API callbacks (JSON), all signed with the v0 scheme.
 *
 * It works hand in hand with the Slack stand-in: response URLs and trigger ids come from it,
 * buttons are found in the messages/views it stored, and what Slack does with the bot's HTTP
 * answers (a slash command's ack body, a view_submission's response_action) is applied to it.
 *
 * This file assembles the SlackDriver handle; the pieces live in driver/: payloads.ts (the bodies
 * Slack sends), elements.ts (finding what the user acts on), sending.ts (signing and posting),
 * and one file of steps per kind of request (commands, blockActions, views, events).
 *
 * Nothing here depends on the bot's code.
 */
import { blockAction, clickButton, clickButtonInView, selectInView } from './driver/blockActions.ts';
import { sendCommand } from './driver/commands.ts';
import { driverContext } from './driver/context.ts';
import {
  appHomeOpened,
  deliverChange,
  deliverEvents,
  directMessage,
  sendEvent,
  urlVerification,
} from './driver/events.ts';
import { postSigned } from './driver/sending.ts';
import type { SlackDriver, SlackDriverOptions } from './driver/types.ts';
import { viewClosed, viewSubmission } from './driver/views.ts';

export type { InputValue, InputValues } from './blocks.ts';
export type {
  ActionSource,
  BlockActionOptions,
  ClickButtonInViewOptions,
  ClickButtonOptions,
  CommandOptions,
  CommandResult,
  DeliveredChange,
  DriverResponse,
  EventOptions,
  InteractionResult,
  RequestOverrides,
  SelectInViewOptions,
  SlackDriver,
  SlackDriverOptions,
  ViewClosedOptions,
  ViewSubmissionOptions,
} from './driver/types.ts';
export { SlackClientValidationError } from './driver/views.ts';

export function createSlackDriver(options: SlackDriverOptions): SlackDriver {
  const ctx = driverContext(options);
  return {
    options,
    command: (opts) => sendCommand(ctx, opts),
    blockAction: (opts) => blockAction(ctx, opts),
    clickButton: (opts) => clickButton(ctx, opts),
    clickButtonInView: (opts) => clickButtonInView(ctx, opts),
    selectInView: (opts) => selectInView(ctx, opts),
    viewSubmission: (opts) => viewSubmission(ctx, opts),
    viewClosed: (opts) => viewClosed(ctx, opts),
    event: (opts) => sendEvent(ctx, opts),
    appHomeOpened: (user, overrides) => appHomeOpened(ctx, user, overrides),
    directMessage: (opts) => directMessage(ctx, opts),
    urlVerification: (challenge, overrides) => urlVerification(ctx, challenge, overrides),
    deliver: (events) => deliverEvents(ctx, events),
    changeUser: (id, settings) => deliverChange(ctx, options.standIn.changeUser(id, settings)),
    changeUsergroupMembers: (id, users) => deliverChange(ctx, options.standIn.changeUsergroupMembers(id, users)),
    post: (url, rawBody, contentType, overrides) => postSigned(ctx, url, rawBody, contentType, overrides),
  };
}
