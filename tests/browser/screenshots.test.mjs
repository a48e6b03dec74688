// SPDX-License-Identifier: MIT
// Screenshots of every widget, in English and Japanese, light and dark, 1100 px and 375 px wide,
// saved to test-artifacts/ (gitignored) for a person to look at; at 375 px nothing scrolls sideways.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, IDS, finish, open, setUp } from './harness.mjs';

let env;
before(async () => {
  env = await setUp();
  await mkdir(ARTIFACTS, { recursive: true });
});
after(async () => { await env?.close(); });

for (const width of [1100, 375]) {
  for (const lang of ['en', 'ja']) {
    for (const theme of ['light', 'dark']) {
      test(`screenshots: ${lang}, ${theme}, ${width} px`, { timeout: 90_000 }, async () => {
        const hash = [lang !== 'en' ? `lang=${lang}` : '', `theme=${theme}`].filter(Boolean).join('&');
        const ctx = await open(env, `site/#${hash}`, { setup: (page) => page.setViewportSize({ width, height: 900 }) });
        const { page } = ctx;
        await page.waitForFunction(() => document.documentElement.dataset.widgets === 'ready', null, { timeout: 30_000 });
        await page.screenshot({ path: join(ARTIFACTS, `page-top-${lang}-${theme}-${width}.png`) });
        for (const id of IDS) {
          await page.locator(`.widget[data-widget="${id}"]`).screenshot({ path: join(ARTIFACTS, `${id}-${lang}-${theme}-${width}.png`) });
        }
        await page.locator('#sec-extrapolation').screenshot({ path: join(ARTIFACTS, `extrapolation-${lang}-${theme}-${width}.png`) });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow} px)`);
        await finish(ctx);
      });
    }
  }
}
