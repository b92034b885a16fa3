// `npm test` tests what ships: dist/ is rebuilt from src/ first (incrementally: a few seconds),
// so the bin and `npm start` tests run the same compiled JavaScript as production.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function buildOnce(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], {
    stdio: 'inherit',
  });
}
