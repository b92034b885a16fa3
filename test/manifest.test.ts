// The two Slack app manifests (HTTP mode and Socket Mode) are pasted into Slack as they are: each
// must be a manifest Slack accepts, and the two must describe the same app.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COMMAND } from '../src/slack/ids.ts';

// Slack's app manifest schema (version 1, the default when _metadata is absent), for the fields
// these manifests use: written from Slack's published JSON schema, slackapi/manifest-schema
// schemas/manifest.schema.1.0.0.json (commit c50cfa8), and https://docs.slack.dev/reference/app-manifest.
// Every object there has additionalProperties: false, so every object here is strict: a field Slack
// does not know (or a typo) fails the test as it would fail in Slack.
const url = z
  .string()
  .regex(/^https?:\/\//, 'must start with http:// or https://')
  .max(3500);
const scope = z.string().max(50);
const eventName = z.string().max(50);

const slackManifestSchema = z
  .strictObject({
    _metadata: z
      .strictObject({ major_version: z.literal(1).optional(), minor_version: z.number().int().optional() })
      .optional(),
    display_information: z.strictObject({
      name: z.string().min(1).max(35),
      description: z.string().min(1).max(140).optional(),
      background_color: z
        .string()
        .regex(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/)
        .optional(),
      long_description: z.string().min(175).max(4000).optional(),
    }),
    features: z
      .strictObject({
        app_home: z
          .strictObject({
            home_tab_enabled: z.boolean().optional(),
            messages_tab_enabled: z.boolean().optional(),
            messages_tab_read_only_enabled: z.boolean().optional(),
          })
          .optional(),
        bot_user: z
          .strictObject({ display_name: z.string().min(1).max(80), always_online: z.boolean().optional() })
          .optional(),
        slash_commands: z
          .array(
            z.strictObject({
              command: z.string().min(2).max(32).regex(/^\//),
              url: z
                .string()
                .regex(/^https?:\/\//)
                .max(3000)
                .optional(),
              description: z.string().min(1).max(2000),
              usage_hint: z.string().min(1).max(1000).optional(),
              should_escape: z.boolean().optional(),
            }),
          )
          .min(1)
          .max(50)
          .optional(),
      })
      .optional(),
    oauth_config: z
      .strictObject({
        scopes: z
          .strictObject({ bot: z.array(scope).max(255).optional(), user: z.array(scope).max(255).optional() })
          .optional(),
      })
      .optional(),
    settings: z
      .strictObject({
        event_subscriptions: z
          .strictObject({
            request_url: url.optional(),
            bot_events: z.array(eventName).max(100).optional(),
            user_events: z.array(eventName).max(100).optional(),
          })
          .optional(),
        interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: url.optional() }).optional(),
        org_deploy_enabled: z.boolean().optional(),
        socket_mode_enabled: z.boolean().optional(),
        token_rotation_enabled: z.boolean().optional(),
      })
      .optional(),
  })
  // What Slack checks across fields when a manifest is created (apps.manifest.create's errors, e.g.
  // "Interactivity requires a Request URL"): without Socket Mode, Slack must have somewhere to call.
  .superRefine((m, ctx) => {
    if (m.settings?.socket_mode_enabled === true) return;
    const need = (present: boolean, path: PropertyKey[], message: string) => {
      if (!present) ctx.addIssue({ code: 'custom', path, message });
    };
    if (m.settings?.event_subscriptions)
      need(
        m.settings.event_subscriptions.request_url !== undefined,
        ['settings', 'event_subscriptions'],
        'Event Subscription requires either Request URL or Socket Mode Enabled',
      );
    if (m.settings?.interactivity?.is_enabled)
      need(
        m.settings.interactivity.request_url !== undefined,
        ['settings', 'interactivity'],
        'Interactivity requires a Request URL',
      );
    m.features?.slash_commands?.forEach((c, i) =>
      need(
        c.url !== undefined,
        ['features', 'slash_commands', i, 'url'],
        'a slash command needs a url without Socket Mode',
      ),
    );
  });
type SlackManifest = z.infer<typeof slackManifestSchema>;

const read = (file: string): SlackManifest =>
  slackManifestSchema.parse(parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')));

/** Where Slack would call the app: the slash commands' and the two request URLs. */
const requestUrls = (m: SlackManifest) =>
  [
    ...(m.features?.slash_commands ?? []).map((c) => c.url),
    m.settings?.event_subscriptions?.request_url,
    m.settings?.interactivity?.request_url,
  ].filter((u) => u !== undefined);

/** The manifest without where Slack calls it and how: what both modes must share. */
const app = (m: SlackManifest): SlackManifest => {
  const shared = structuredClone(m);
  for (const command of shared.features?.slash_commands ?? []) delete command.url;
  delete shared.settings?.event_subscriptions?.request_url;
  delete shared.settings?.interactivity?.request_url;
  delete shared.settings?.socket_mode_enabled;
  return shared;
};

describe('the Slack app manifests', () => {
  const http = read('manifest.yml');
  const socket = read('manifest.socket.yml');

  it('both are manifests Slack accepts', () => {
    // read() has parsed them; this says what a failure would look like, so the check is not vacuous.
    const withTypo = { ...socket, settings: { ...socket.settings, socket_mode_enable: true } };
    expect(slackManifestSchema.safeParse(withTypo).success).toBe(false);
    const shortLong = { ...http, display_information: { ...http.display_information, long_description: 'short' } };
    expect(slackManifestSchema.safeParse(shortLong).success).toBe(false);
    // The Socket Mode manifest with Socket Mode off leaves Slack nowhere to send anything.
    const nowhere = slackManifestSchema.safeParse({
      ...socket,
      settings: { ...socket.settings, socket_mode_enabled: false },
    });
    expect(nowhere.error?.issues.map((i) => i.message)).toEqual([
      'Event Subscription requires either Request URL or Socket Mode Enabled',
      'Interactivity requires a Request URL',
      'a slash command needs a url without Socket Mode',
    ]);
  });

  it('HTTP mode: Socket Mode off, and every request URL is <address>/slack/events', () => {
    expect(http.settings?.socket_mode_enabled).toBe(false);
    expect(requestUrls(http)).toEqual([
      'https://toolgate.example.com/slack/events',
      'https://toolgate.example.com/slack/events',
      'https://toolgate.example.com/slack/events',
    ]);
    expect(http.settings?.interactivity?.is_enabled).toBe(true);
  });

  it('Socket Mode: on, with no request URL to edit or delete', () => {
    expect(socket.settings?.socket_mode_enabled).toBe(true);
    expect(requestUrls(socket)).toEqual([]);
    expect(readFileSync(new URL('../manifest.socket.yml', import.meta.url), 'utf8')).not.toMatch(/url:/);
    expect(socket.settings?.interactivity?.is_enabled).toBe(true);
  });

  it('both declare the same app: commands, scopes, events and the rest', () => {
    expect(app(socket)).toEqual(app(http));
    for (const m of [http, socket]) {
      expect(m.features?.slash_commands?.map((c) => c.command)).toEqual([COMMAND]);
      expect(m.oauth_config?.scopes?.bot).toEqual([
        'commands',
        'chat:write',
        'users:read',
        'users.profile:read',
        'users:read.email',
        'usergroups:read',
      ]);
      expect(m.settings?.event_subscriptions?.bot_events).toEqual([
        'app_home_opened',
        'user_change',
        'subteam_members_changed',
      ]);
    }
  });
});
