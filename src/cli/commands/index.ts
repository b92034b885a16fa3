// Every command, in the order the usage text lists them.
import { ask } from './ask.ts';
import { audit } from './audit.ts';
import { outbox } from './outbox.ts';
import { registry } from './registry.ts';
import { requests } from './requests.ts';
import { sweep } from './sweep.ts';
import type { CliCommand } from './types.ts';

export const COMMANDS: readonly CliCommand[] = [ask, registry, sweep, requests, outbox, audit];
