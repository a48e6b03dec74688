// SPDX-License-Identifier: MIT
// The two embed snippets of a widget: an iframe of embed.html (the settings in its hash), and a
// custom element whose attributes mirror the settings, with the one-file bundle posenc-widgets.js.
import { attributes, prefixed, serialise } from './state.js';

let siteBase = null;

/** Where the site is served from (the folder of index.html, embed.html and posenc-widgets.js). */
export function setSiteBase(url) {
  siteBase = new URL('./', url);
}

function base() {
  return siteBase ?? new URL('./', document.baseURI);
}

const escapeAttr = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** { iframe, element } snippet texts for widget `id` in `state` (its own, unprefixed keys). */
export function snippets({ id, title, schema, state, lang = 'en', theme = 'auto', height = 700 }) {
  const page = new URL(`embed.html?w=${encodeURIComponent(id)}`, base());
  const global = [];
  if (lang !== 'en') global.push(`lang=${lang}`);
  if (theme !== 'auto') global.push(`theme=${theme}`);
  const own = serialise(prefixed(id, schema), Object.fromEntries(Object.entries(state).map(([k, v]) => [`${id}.${k}`, v])));
  const hash = [...global, own].filter(Boolean).join('&');
  page.hash = hash;
  const iframe = `<iframe src="${escapeAttr(page.href)}" title="${escapeAttr(title)}" width="100%" height="${height}" ` +
    'frameborder="0" loading="lazy"></iframe>';
  const attrs = attributes(schema, state);
  if (lang !== 'en') attrs.unshift(['lang', lang]);
  if (theme !== 'auto') attrs.unshift(['theme', theme]);
  const attrText = attrs.map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
  const script = new URL('posenc-widgets.js', base()).href;
  const element = `<posenc-${id}${attrText}></posenc-${id}>\n<script type="module" src="${escapeAttr(script)}"></script>`;
  return { iframe, element };
}
