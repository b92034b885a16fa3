/**
 * The playground: the real bot (same Bolt app, listeners, SQLite database and registry) reached
 * over its own HTTP endpoint with requests signed as Slack signs them, its Web API calls answered
 * by the local stand-in for Slack, and a page that lets a person be anyone in the registry.
 *
 * `npm start` runs it when no Slack credentials are set. No listener knows it is here.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startBot, type RunningBot } from '../bot.ts';
import { loadConfig, type Config } from '../config.ts';
import {
  createSlackDriver,
  EXAMPLE_ENTERPRISE,
  EXAMPLE_PEOPLE,
  EXAMPLE_USERGROUPS,
  seedExampleDirectory,
  STAND_IN_WORKSPACE,
  startSlackStandIn,
  type SlackDriver,
  type SlackStandIn,
  type StandInChange,
} from '../standIn/index.ts';
import { createApi } from './api.ts';
import type { Registry } from '../domain/types.ts';
import {
  buildDirectory,
  OFFICE_TIME_ZONES,
  profilePeople,
  profileUserOf,
  readManifest,
  type AppManifest,
  type Directory,
} from './directory.ts';
import { createPlaygroundServer } from './server.ts';
import { namedUsergroups, playgroundRegistryFile, withUsergroupMembers } from './usergroups.ts';

export type { AppManifest, PlaygroundChannel, PlaygroundCommand, PlaygroundPerson } from './directory.ts';

export interface PlaygroundOptions {
  /**
   * The configuration `npm start` read from the environment (without Slack credentials): the bot
   * keeps all of it (database, registry, region, timers...) but talks to the stand-in. Default:
   * the defaults of an empty environment. The fields below override it.
   */
  config?: Config;
  /** Port of the page; 0 picks a free one. Default: config.port (PORT, 3000). */
  port?: number;
  /** Address of the page. Default: config.host (HOST), else 127.0.0.1 (only this machine). */
  host?: string | null;
  databasePath?: string;
  registryPath?: string;
  defaultRegion?: string;
  logLevel?: Config['logLevel'];
  /** Where the slash commands and App Home settings are read from. Default manifest.yml at the repository root. */
  manifestPath?: string;
}

export interface Playground {
  /** The page, e.g. http://localhost:3000. */
  url: string;
  /** The bot's token at the stand-in, made at start (tests post as the bot with it). */
  botToken: string;
  port: number;
  bot: RunningBot;
  standIn: SlackStandIn;
  driver: SlackDriver;
  directory: Directory;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  // Secrets made fresh at each start: a web page elsewhere in the browser cannot guess them to act as the bot.
  const botToken = `xoxb-playground-${randomBytes(16).toString('hex')}`;
  const standIn = await startSlackStandIn({ host: '127.0.0.1', requiredToken: botToken });
  const signingSecret = randomBytes(32).toString('hex');
  const base = options.config ?? loadConfig({});
  // The example company's profiles, user groups and people the registry does not list (issue 13),
  // there before the bot first reads its user groups.
  seedExampleDirectory(standIn);
  // An empty database gets the registry with its approver groups given by the example's user groups.
  const seedRegistry = playgroundRegistryFile(options.registryPath ?? base.registryPath, EXAMPLE_USERGROUPS);
  // The bot itself listens inside, on a free loopback port; only the page is on PORT.
  const config: Config = {
    ...base,
    slack: { kind: 'http', botToken, signingSecret },
    slackApiUrl: standIn.apiUrl,
    port: 0,
    host: '127.0.0.1',
    ...(options.databasePath !== undefined && { databasePath: options.databasePath }),
    registryPath: seedRegistry.path,
    ...(options.defaultRegion !== undefined && { defaultRegion: options.defaultRegion }),
    ...(options.logLevel !== undefined && { logLevel: options.logLevel }),
  };
  let bot: RunningBot;
  try {
    bot = await startBot(config);
  } catch (error) {
    seedRegistry.cleanup();
    await standIn.close();
    throw error;
  }
  const cleanup: Array<() => Promise<void> | void> = [
    () => seedRegistry.cleanup(),
    () => bot.stop(),
    () => standIn.close(),
  ];
  const stopAll = async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const driver = createSlackDriver({ botUrl: bot.eventsUrl as string, signingSecret, standIn });
    const registry = await bot.store.exportRegistry();
    // Approvers through a user group are approvers in the picker and members of their group's channel.
    const directory = buildDirectory(
      withUsergroupMembers(registry, namedUsergroups(registry, standIn.snapshot().usergroups)),
      config.defaultRegion,
    );
    const manifest = readManifest(options.manifestPath);
    for (const person of directory.people) {
      const handle =
        person.name
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '.')
          .replace(/^\.|\.$/g, '') || person.id.toLowerCase();
      standIn.setUser(person.id, { name: handle, realName: person.name, displayName: person.name });
    }
    for (const channel of directory.channels) standIn.setChannel(channel.id, { name: channel.name });

    // Someone in the company's mainland China workspace asks from there (Enterprise Grid `team` rules).
    const drivers = new Map<string, SlackDriver>();
    const driverFor = (user: string): SlackDriver => {
      const team = standIn.getUser(user)?.team_id ?? STAND_IN_WORKSPACE.teamId;
      if (team === STAND_IN_WORKSPACE.teamId) return driver;
      const existing = drivers.get(team);
      if (existing) return existing;
      const made = createSlackDriver({
        botUrl: bot.eventsUrl as string,
        signingSecret,
        standIn,
        teamId: team,
        enterpriseId: EXAMPLE_ENTERPRISE.id,
        enterpriseName: EXAMPLE_ENTERPRISE.name,
      });
      drivers.set(team, made);
      return made;
    };
    const api = createApi(standIn, driver, manifest, {
      officeTimeZones: OFFICE_TIME_ZONES,
      driverFor,
      usergroups: () => namedUsergroups(registry, standIn.snapshot().usergroups).map((g) => g.id),
      usergroupTaken: (id, users) => botHasMembers(bot, id, users),
    });
    const host = (options.host !== undefined ? options.host : base.host) ?? '127.0.0.1';
    const { server, closeStreams } = createPlaygroundServer({
      api,
      state: () => clientState(standIn, directory, manifest, registry, config.defaultRegion),
      subscribe: (listener) => standIn.onChange((change: StandInChange) => change.kind !== 'call' && listener()),
      loopbackOnly: LOOPBACK.has(host),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? base.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          closeStreams();
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const port = (server.address() as AddressInfo).port;
    const shownHost =
      LOOPBACK.has(host) || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
    return { url: `http://${shownHost}:${port}`, botToken, port, bot, standIn, driver, directory, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Everything the page shows, for everyone: the page picks what the chosen person can see. */
function clientState(
  standIn: SlackStandIn,
  directory: Directory,
  manifest: AppManifest,
  registry: Registry,
  defaultRegion: string,
) {
  const snapshot = standIn.snapshot();
  // The example's people only Slack knows, with the region their profile gives them now.
  const onlyInSlack = new Set(EXAMPLE_PEOPLE.filter((p) => !p.inRegistry).map((p) => p.id));
  const labels = Object.fromEntries(standIn.profileFields().map((f) => [f.id, f.label]));
  const fromProfiles = profilePeople(
    registry,
    snapshot.users.filter((u) => onlyInSlack.has(u.id)).map(profileUserOf),
    labels,
    defaultRegion,
  );
  const users: Record<string, string> = { [STAND_IN_WORKSPACE.botUserId]: STAND_IN_WORKSPACE.botUserName };
  for (const user of snapshot.users) users[user.id] = user.profile.display_name || user.real_name || user.name;
  const known = new Set(directory.channels.map((c) => c.id));
  // A channel the bot posted to that the registry doesn't name still shows up.
  const extra = Object.keys(snapshot.channels)
    .filter((id) => id.startsWith('C') && !known.has(id))
    .map((id) => ({ id, name: standIn.channelName(id), purpose: '' }));
  const modals = Object.fromEntries(
    Object.entries(snapshot.openViews)
      .filter(([, stack]) => stack.length > 0)
      .map(([user, stack]) => [user, stack.map((view) => ({ ...view, errors: standIn.viewErrors(view.id) ?? {} }))]),
  );
  return {
    workspace: {
      name: STAND_IN_WORKSPACE.teamName,
      botUserId: STAND_IN_WORKSPACE.botUserId,
      botName: STAND_IN_WORKSPACE.botUserName,
    },
    defaultUser: directory.defaultUser,
    people: [...directory.people, ...fromProfiles],
    usergroups: namedUsergroups(registry, snapshot.usergroups),
    offices: Object.keys(OFFICE_TIME_ZONES),
    channels: [...directory.channels, ...extra],
    commands: manifest.commands,
    messagesReadOnly: manifest.messagesReadOnly,
    users,
    conversations: snapshot.channels,
    ephemerals: snapshot.ephemerals.map((e) => ({ ...e, conversation: standIn.conversationId(e.channel) })),
    homes: snapshot.homes,
    modals,
  };
}

/**
 * Slack acknowledges an event before the bot handles it: wait (a little) until the bot's cache has
 * the group's new members, so a click right after goes by them. If it never does, the click shows why.
 */
async function botHasMembers(bot: RunningBot, id: string, users: readonly string[]): Promise<void> {
  const read = bot.store.db.prepare<[string], { user_id: string }>(
    'SELECT user_id FROM usergroup_members WHERE usergroup_id = ? ORDER BY user_id',
  );
  const want = [...users].sort().join(',');
  for (let tries = 0; tries < 100; tries++) {
    if (
      read
        .all(id)
        .map((r) => r.user_id)
        .join(',') === want
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
