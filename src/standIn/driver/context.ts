/** What every driver step needs: the stand-in, and the driver's options with their defaults filled in. */
import type { SlackStandIn, StoredView } from '../types.ts';
import { STAND_IN_WORKSPACE } from '../workspace.ts';
import type { SlackDriverOptions } from './types.ts';

export interface DriverContext {
  readonly standIn: SlackStandIn;
  readonly signingSecret: string;
  readonly teamId: string;
  readonly teamDomain: string;
  readonly apiAppId: string;
  /** The deprecated verification token Slack still puts in bodies. */
  readonly token: string;
  readonly enterprise: { id: string; name: string } | null;
  readonly commandsUrl: string;
  readonly interactivityUrl: string;
  readonly eventsUrl: string;
  /** Events go as Socket Mode envelopes, not HTTP. */
  readonly socketMode: boolean;
  /** Events sent so far, for unique event ids. */
  eventCounter: number;
}

export function driverContext(options: SlackDriverOptions): DriverContext {
  return {
    standIn: options.standIn,
    signingSecret: options.signingSecret,
    teamId: options.teamId ?? STAND_IN_WORKSPACE.teamId,
    teamDomain: options.teamDomain ?? STAND_IN_WORKSPACE.teamDomain,
    apiAppId: options.apiAppId ?? STAND_IN_WORKSPACE.appId,
    token: options.verificationToken ?? 'xyzz0WbapA4vBCDEFasx0q6G',
    enterprise: options.enterpriseId
      ? { id: options.enterpriseId, name: options.enterpriseName ?? options.enterpriseId }
      : null,
    commandsUrl: options.commandsUrl ?? options.botUrl,
    interactivityUrl: options.interactivityUrl ?? options.botUrl,
    eventsUrl: options.eventsUrl ?? options.botUrl,
    socketMode: options.socketMode ?? false,
    eventCounter: 0,
  };
}

/** The stand-in's current version of a view, so a step never acts on a stale copy. */
export function currentView(ctx: DriverContext, view: StoredView | string): StoredView {
  const id = typeof view === 'string' ? view : view.id;
  const stored = ctx.standIn.viewOf(id);
  if (!stored) throw new Error(`the stand-in has no view ${id}`);
  return stored;
}
