// `npm start` as a child process: the compiled bot (dist/, built by test/globalSetup.ts) under
// plain node, exactly as the start script runs it, with its output collected.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** node's arguments in package.json's start script (`node <these>`). */
export const START_ARGS = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .slice(1);

export interface Started {
  /** Resolves with the first match of `ready` in the output, rejects if the process exits first. */
  ready: Promise<RegExpExecArray>;
  /** Resolves when the process ends. */
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  output(): string;
  stop(): Promise<void>;
}

export function npmStart(
  env: Record<string, string>,
  ready: RegExp = /toolgate is (listening|connected)/,
  timeoutMs = 20_000,
): Started {
  const child = spawn(process.execPath, START_ARGS, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
  const readyPromise = new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`not ready after ${timeoutMs} ms; output:\n${stdout}${stderr}`)),
      timeoutMs,
    );
    const check = () => {
      const match = ready.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      check();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before it was ready; output:\n${stdout}${stderr}`));
    });
  });
  readyPromise.catch(() => undefined);
  return {
    ready: readyPromise,
    exited,
    output: () => stdout + stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
