import { LogLevel, type Logger } from '@slack/bolt';

/** A Slack SDK logger that prints nothing (WebClient/Bolt warn loudly about injected failures). */
export function silentLogger(): Logger {
  let level = LogLevel.ERROR;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
