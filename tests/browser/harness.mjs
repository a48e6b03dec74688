// SPDX-License-Identifier: MIT
// Shared set-up of the browser tests: one static server (scripts/serve.mjs, strict CSP) whose root
// holds the site and the package (symlinks into web/) and a blog/ folder where tests write bare
// HTML pages (the embed snippets pasted into an otherwise empty page, same origin); Debian's
// chromium through playwright-core; helpers that collect console errors, failed requests and CSP
// violations, and that read the widgets' canvases.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CSP, startServer } from '../../scripts/serve.mjs';

export { CSP };
export const WEB = fileURLToPath(new URL('../../web/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
export const IDS = ['hero', 'embedding', 'shuffle', 'learned', 'sinusoidal', 'shaw', 't5', 'rope', 'scaling', 'alibi', 'models', 'attention', 'extrapolation'];

/** `isolated: false`: the server sends no COOP/COEP, so its pages are not cross-origin isolated. */
export async function setUp({ viewport = { width: 1100, height: 900 }, isolated = true } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'posenc-www-'));
  await symlink(join(WEB, 'site'), join(root, 'site'));
  await symlink(join(WEB, 'package'), join(root, 'package'));
  await mkdir(join(root, 'blog'));
  const server = await startServer({ port: 0, root, isolated });
  const profile = await mkdtemp(join(tmpdir(), 'posenc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport,
    reducedMotion: 'reduce',  // the RoPE animation stays still unless a test presses Play
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  // Record CSP violations from the very start of every document and frame (init scripts are exempt from the CSP).
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    }, true);
  });
  return {
    server,
    context,
    root,
    /** Write a bare page into blog/ and return its URL. */
    async page(name, html) {
      await writeFile(join(root, 'blog', name), html);
      return `${server.url}blog/${name}`;
    },
    async close() {
      await context.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Open `path` (relative to the server root); every error, failed request, dialog is collected. */
export async function open(env, path, { setup } = {}) {
  const page = await env.context.newPage();
  const problems = [];
  const dialogs = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  page.on('requestfailed', (r) => { if (!/net::ERR_ABORTED/.test(r.failure()?.errorText ?? '')) problems.push(`request failed: ${r.url()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  if (setup) await setup(page);
  const response = await page.goto(path.startsWith('http') ? path : `${env.server.url}${path}`);
  return { page, problems, dialogs, response };
}

/** Assert nothing went wrong on the page or its frames (errors, dialogs, CSP violations), then close it. */
export async function finish({ page, problems, dialogs }) {
  const violations = [];
  for (const frame of page.frames()) violations.push(...(await frame.evaluate(() => window.__cspViolations ?? []).catch(() => [])));
  await page.close();
  assert.deepEqual(problems, [], 'errors on the page');
  assert.deepEqual(dialogs, [], 'dialogs opened');
  assert.deepEqual(violations, [], 'CSP violations');
}

/** Wait until widget `id` has drawn (and, when given, drawn the state whose hash is `drawn`). */
export async function ready(scope, id, drawn = null, timeout = 15_000) {
  await scope.waitForFunction(([id, drawn]) => {
    const w = document.querySelector(`.widget[data-widget="${id}"]`);
    // data-pending: figures whose modules load once the widget has drawn are not in place yet.
    return w && (w.dataset.status === 'ready' || w.dataset.status === 'error') && !w.dataset.pending && (drawn === null || w.dataset.drawn === drawn);
  }, [id, drawn], { timeout });
}

/** Wait until the widget has drawn more than `n` times. */
export async function drawsAbove(scope, id, n, timeout = 10_000) {
  await scope.waitForFunction(([id, n]) => Number(document.querySelector(`.widget[data-widget="${id}"]`)?.dataset.draws) > n,
    [id, n], { timeout });
}

export function draws(scope, id) {
  return scope.evaluate((id) => Number(document.querySelector(`.widget[data-widget="${id}"]`).dataset.draws), id);
}

/**
 * Figures of every visible canvas of a widget (found in `rootSelector`'s document or shadow root):
 * distinct colours and a checksum of all pixels; `live`: drawn from measurements on this device
 * (data-live), so not the same pixels from one load to the next.
 */
export function measureCanvases(scope, id, host = null) {
  return scope.evaluate(([id, host]) => {
    const root = host ? document.querySelector(host).shadowRoot : document;
    const widget = root.querySelector(`.widget[data-widget="${id}"]`);
    return [...widget.querySelectorAll('.fig-canvas')].filter((c) => c.offsetParent !== null).map((canvas) => {
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const colours = new Set();
      let checksum = 0x811c9dc5;
      for (let i = 0; i < data.length; i += 4) {
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        checksum = Math.imul(checksum ^ data[i] ^ (data[i + 1] << 8) ^ (data[i + 2] << 16), 16777619) >>> 0;
      }
      const fig = canvas.closest('[data-figure]');
      return { name: fig.dataset.figure, colours: colours.size, checksum, size: [canvas.width, canvas.height], live: Boolean(fig.dataset.live) };
    });
  }, [id, host]);
}

/** Wait until location.hash contains every `key=value` of `parts`. */
export async function hashHas(page, parts, timeout = 5_000) {
  await page.waitForFunction((parts) => {
    const p = new URLSearchParams(location.hash.slice(1));
    return parts.every(([k, v]) => p.get(k) === v);
  }, parts, { timeout });
}

/** The package's error message in widget `id`, or '' when none is shown. */
export function widgetError(scope, id) {
  return scope.evaluate((id) => {
    const e = document.querySelector(`.widget[data-widget="${id}"] .widget-error`);
    return e && !e.hidden ? e.textContent : '';
  }, id);
}

/** The data attributes of the extrapolation widget's root: run ('idle' | 'running' | 'done' | 'cancelled' | 'error'), workers. */
export function runState(scope, host = null) {
  return scope.evaluate((host) => {
    const root = host ? document.querySelector(host).shadowRoot : document;
    const { run, workers, runMs } = root.querySelector('.widget[data-widget="extrapolation"]').dataset;
    return { run, workers: Number(workers), ms: runMs ? Number(runMs) : 0 };
  }, host);
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
