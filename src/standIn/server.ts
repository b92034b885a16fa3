/**
 * A local stand-in for Slack's Web API (and for the response_url webhooks Slack hands out),
 * keeping Slack's state in memory: channel messages, ephemerals, modals, App Homes, users.
 *
 * The bot reaches it through Bolt's `clientOptions.slackApiUrl = standIn.apiUrl`.
 * Tests (and later the playground) read the state back with the query helpers, inject
 * failures, and wait for the bot to act with `waitFor`.
 *
 * This file starts it and assembles the SlackStandIn handle; each concern lives in its own
 * module: state.ts (the state), http.ts (requests), webApi.ts and methods/ (the Web API),
 * responseUrls.ts, views.ts, triggers.ts, conversations.ts, users.ts, directory.ts (scopes,
 * profile fields, user groups, directory events), failures.ts, changes.ts.
 *
 * Nothing here depends on the bot's code.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { onChange, waitFor, wakeWaiters } from './changes.ts';
import { channelName, conversationId, postUserMessage, setChannel } from './conversations.ts';
import { failNext, setDown, setLatency, slowNext } from './failures.ts';
import { startHttpServer } from './http.ts';
import {
  callsTo,
  ephemeralsOf,
  homeOf,
  messageIn,
  messagesIn,
  openViewsOf,
  snapshot,
  viewErrors,
  viewOf,
} from './queries.ts';
import { deliverAck, newResponseUrl, responsesOf, responseUrlInfo } from './responseUrls.ts';
import { acceptSocketMode, closeSocketMode, dropConnections, sendEnvelope } from './socketMode.ts';
import { clone, createState, resetState, type StandInState } from './state.ts';
import { newTriggerId } from './triggers.ts';
import type { SlackStandIn, SlackStandInOptions } from './types.ts';
import { changeUser, changeUsergroupMembers, findUsergroup, setProfileFields, setUsergroup } from './directory.ts';
import { getUser, setUser } from './users.ts';
import { applyViewSubmissionResponse, closeView, setViewState } from './views.ts';

export type { JsonObject, SlackBlock, StateValues, TextObject } from './blocks.ts';
export type {
  ApiCall,
  DirectoryChange,
  FieldSettings,
  Failure,
  MessageEdit,
  ProfileFieldDefinition,
  ProfileFieldSettings,
  ProfileFieldValue,
  ResponsePost,
  ResponseUrlContext,
  ResponseUrlInfo,
  SlackStandIn,
  SlackStandInOptions,
  SlackUser,
  StandInChange,
  StandInSnapshot,
  StoredEphemeral,
  StoredMessage,
  StoredUsergroup,
  StoredView,
  UserSettings,
  UsergroupSettings,
} from './types.ts';
export { STAND_IN_WORKSPACE } from './workspace.ts';

export async function startSlackStandIn(opts: SlackStandInOptions = {}): Promise<SlackStandIn> {
  const host = opts.host ?? '127.0.0.1';
  const state = createState(opts);
  const server = await startHttpServer(state, host, opts.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  state.socket.base = `ws://${hostForUrl}:${port}/`;
  acceptSocketMode(state.socket, server);
  return standInHandle(state, server, `http://${hostForUrl}:${port}/`, port);
}

/** The SlackStandIn handed to callers: each member is one of the named functions over `state`. */
function standInHandle(state: StandInState, server: Server, baseUrl: string, port: number): SlackStandIn {
  return {
    url: baseUrl,
    apiUrl: `${baseUrl}api/`,
    port,
    calls: state.calls,

    messages: (channel) => messagesIn(state, channel),
    message: (channel, ts) => messageIn(state, channel, ts),
    ephemerals: (user) => ephemeralsOf(state, user),
    responses: (idOrUrl) => responsesOf(state, idOrUrl),
    homeOf: (user) => homeOf(state, user),
    viewOf: (viewId) => viewOf(state, viewId),
    openViews: (user) => openViewsOf(state, user),
    viewOwner: (viewId) => state.owners.get(viewId),
    viewErrors: (viewId) => viewErrors(state, viewId),
    callsTo: (method) => callsTo(state, method),
    snapshot: () => snapshot(state),

    waitFor: (predicate, timeoutMs, description) => waitFor(state, predicate, timeoutMs, description),
    onChange: (listener) => onChange(state, listener),

    failNext: (count, failure, methods) => failNext(state, count, failure, methods),
    setDown: (down) => setDown(state, down),
    setLatency: (ms, methods) => setLatency(state, ms, methods),
    slowNext: (count, ms, methods) => slowNext(state, count, ms, methods),

    setUser: (id, settings) => setUser(state, id, settings),
    getUser: (id) => getUser(state, id),
    changeUser: (id, settings) => changeUser(state, id, settings),
    setProfileFields: (fields) => setProfileFields(state, fields),
    profileFields: () => clone(state.profileFields),
    setUsergroup: (id, settings) => setUsergroup(state, id, settings),
    usergroup: (idOrHandle) => {
      const group = findUsergroup(state, idOrHandle);
      return group ? clone(group) : undefined;
    },
    changeUsergroupMembers: (id, users) => changeUsergroupMembers(state, id, users),
    setChannel: (id, settings) => setChannel(state, id, settings),
    channelName: (id) => channelName(state, id),
    conversationId,

    newResponseUrl: (context) => newResponseUrl(state, baseUrl, context),
    responseUrlInfo: (idOrUrl) => responseUrlInfo(state, idOrUrl),
    newTriggerId: (user) => newTriggerId(state, user),

    deliverAck: (responseUrl, body) => deliverAck(state, responseUrl, body),
    applyViewSubmissionResponse: (user, viewId, response) => applyViewSubmissionResponse(state, user, viewId, response),
    setViewState: (viewId, values) => setViewState(state, viewId, values),
    closeView: (user, viewId, closeOpts) => closeView(state, user, viewId, closeOpts),
    postUserMessage: (channel, user, text, threadTs) => postUserMessage(state, channel, user, text, threadTs),

    socketConnections: () => state.socket.connections.size,
    sendEnvelope: (type, payload, timeoutMs) => sendEnvelope(state.socket, type, payload, timeoutMs),
    dropSocketConnections: () => dropConnections(state.socket),
    refuseSocketConnections: (refused) => {
      state.socket.refused = refused;
    },

    reset: () => resetState(state),
    close: () =>
      new Promise<void>((resolve, reject) => {
        wakeWaiters(state);
        closeSocketMode(state.socket);
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
