// The playground in a real browser: Debian's Chromium, driven by playwright-core. One browser for
// the file, and the suites one after the other, to keep the load on a 2-core machine low.
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM, hasChromium, openBrowser, type Browser } from './chromium.ts';
import { renderSuite } from './render.suite.ts';
import { storySuite } from './story.suite.ts';

let browser: Browser | undefined;

beforeAll(async () => {
  if (!hasChromium) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (see .ci/run)`);
  browser = await openBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const current = (): Browser => {
  if (!browser) throw new Error('the browser did not start');
  return browser;
};

storySuite(current);
renderSuite(current);
