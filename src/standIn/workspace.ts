/** The one workspace the stand-in plays, and the id shapes Slack uses in it. */

/** Fixed identities of the stand-in workspace and of the bot installed in it. */
export const STAND_IN_WORKSPACE = {
  teamId: 'T0TOOLGATE',
  teamName: 'toolgate',
  teamDomain: 'toolgate',
  url: 'https://toolgate.slack.com/',
  botUserId: 'U0TOOLGATEBOT',
  botUserName: 'toolgate',
  botId: 'B0TOOLGATE',
  appId: 'A0TOOLGATE',
} as const;

/** Slack user ids start with U (or W on Enterprise Grid). */
export function isUserId(id: string): boolean {
  return /^[UW][A-Z0-9]+$/.test(id);
}
