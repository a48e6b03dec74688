// SPDX-License-Identifier: MIT
// The two embed snippets of a widget, and the embedded page's half of the iframe's resizing.
//
// Snippets: an iframe of embed.html (the settings in its hash) followed by embed.js from the site,
// which sets each such iframe's height to the height its page reports; and a custom element whose
// attributes mirror the settings, holding a link to the same view as its fallback (shown until
// dist/posenc-widgets.js has loaded, and for good if it cannot), with that script.
//
// The height message, from embed.html to its parent: { type: 'posenc:height', id, height } (CSS
// pixels of the whole document), posted on every change of the page's size and whenever the parent
// asks with { type: 'posenc:measure' } (embed.js may run after the frame has loaded). It is posted
// to any origin: a height is no secret. embed.js accepts it only from the site's origin and only
// from the window of an iframe it manages (event.source), for the widget that iframe shows.
import { attributes, prefixed, serialise } from './state.js';

export const HEIGHT_MESSAGE = 'posenc:height';
export const MEASURE_MESSAGE = 'posenc:measure';

let siteBase = null;

/** Where the site is served from (the folder of index.html, embed.html, embed.js and dist/). */
export function setSiteBase(url) {
  siteBase = new URL('./', url);
}

function base() {
  return siteBase ?? new URL('./', document.baseURI);
}

/** The URL of a file of the site, e.g. siteUrl('index.html#sec-extrapolation'). */
export function siteUrl(path) {
  return new URL(path, base());
}

const escapeText = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s) => escapeText(s).replace(/"/g, '&quot;');

/** { iframe, element } snippet texts for widget `id` in `state` (its own, unprefixed keys). */
export function snippets({ id, title, schema, state, lang = 'en', theme = 'auto', height = 700, fallback = 'Open it on the posenc site' }) {
  const page = new URL(`embed.html?w=${encodeURIComponent(id)}`, base());
  const global = [];
  if (lang !== 'en') global.push(`lang=${lang}`);
  if (theme !== 'auto') global.push(`theme=${theme}`);
  const own = serialise(prefixed(id, schema), Object.fromEntries(Object.entries(state).map(([k, v]) => [`${id}.${k}`, v])));
  page.hash = [...global, own].filter(Boolean).join('&');
  const resizer = new URL('embed.js', base()).href;
  const iframe = `<iframe src="${escapeAttr(page.href)}" title="${escapeAttr(title)}" width="100%" height="${height}" ` +
    `frameborder="0" loading="lazy" data-posenc-embed="${escapeAttr(id)}"></iframe>\n` +
    `<script src="${escapeAttr(resizer)}" async></script>`;
  const attrs = attributes(schema, state);
  if (lang !== 'en') attrs.unshift(['lang', lang]);
  if (theme !== 'auto') attrs.unshift(['theme', theme]);
  const attrText = attrs.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
  const script = new URL('dist/posenc-widgets.js', base()).href;
  const link = `<a href="${escapeAttr(page.href)}">${escapeText(title)}: ${escapeText(fallback)}</a>`;
  const element = `<posenc-${id}${attrText}>${link}</posenc-${id}>\n<script type="module" src="${escapeAttr(script)}"></script>`;
  return { iframe, element };
}

/** In embed.html inside a frame: tell the parent the page's height whenever it changes. */
export function reportHeight(id) {
  if (window.parent === window) return;
  let last = -1;
  const post = (force = false) => {
    const height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (!force && height === last) return;
    last = height;
    window.parent.postMessage({ type: HEIGHT_MESSAGE, id, height }, '*');
  };
  new ResizeObserver(() => post()).observe(document.documentElement);
  window.addEventListener('message', (event) => {
    if (event.source === window.parent && event.data?.type === MEASURE_MESSAGE) post(true);
  });
  post(true);
}
