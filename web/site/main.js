// SPDX-License-Identifier: MIT
// Entry point of the article (index.html) and of the single-widget page (embed.html?w=<id>): loads
// posenc once, keeps every setting in the URL hash (per-widget keys such as rope.pos, plus lang and
// theme) and mounts the widgets the page asks for with <div data-widget="id">.
// Widgets are listed in widgets/index.js; their files are widgets/<name>.js, each loaded only when
// the page shows it. index.html and embed.html load this file bundled (web/site/dist/site.js, built
// by scripts/build-site.mjs); unbundled, it runs as it is from a static server.
import { init } from '../package/index.js';
import { reportHeight, setSiteBase } from './lib/embed.js';
import { redrawAll } from './lib/figure.js';
import { LANGS } from './lib/i18n.js';
import { createStore, prefixed, unprefixed } from './lib/state.js';
import { WIDGETS } from './widgets/index.js';
// Every page that loads this entry mounts a widget: importing the widgets' shared frame here puts it
// into the entry's chunk, one file (and about 1 kB gzipped) less than a chunk of its own.
import './lib/widget.js';

// Bundled, this file sits in the site's dist/ folder (scripts/build-site.mjs defines the root).
setSiteBase(new URL(import.meta.posencSiteRoot ?? './', import.meta.url));

const GLOBAL = {
  lang: { type: 'enum', default: 'en', values: LANGS },
  theme: { type: 'enum', default: 'auto', values: ['auto', 'light', 'dark'] },
};

const STATUS = {
  en: { loading: 'Loading posenc…', failed: 'posenc could not be loaded:', ready: (pe) => `posenc ${pe.version}, ${pe.simd ? 'WebAssembly SIMD' : 'baseline WebAssembly (no SIMD)'} build (${pe.arch}).` },
  ja: { loading: 'posenc を読み込み中…', failed: 'posenc を読み込めませんでした：', ready: (pe) => `posenc ${pe.version}、${pe.simd ? 'WebAssembly SIMD' : 'SIMD なしの WebAssembly'} ビルド（${pe.arch}）。` },
};

const root = document.documentElement;
const statusLine = document.getElementById('site-status');

/** The slots of the page: [data-widget] elements, or on embed.html the one widget named by ?w=. */
function slots() {
  const single = document.querySelector('[data-widget-from-query]');
  if (single) {
    const id = new URLSearchParams(location.search).get('w');
    if (!id || !Object.hasOwn(WIDGETS, id)) {
      single.replaceChildren(Object.assign(document.createElement('p'), { className: 'widget-error', textContent: `Unknown widget. Known: ${Object.keys(WIDGETS).join(', ')}.` }));
      return [];
    }
    single.dataset.widget = id;
    reportHeight(id);
  }
  return [...document.querySelectorAll('[data-widget]')].filter((el) => Object.hasOwn(WIDGETS, el.dataset.widget));
}

function applyGlobals(state) {
  root.lang = state.lang;
  root.dataset.lang = state.lang;
  if (state.theme === 'auto') delete root.dataset.theme;
  else root.dataset.theme = state.theme;
  for (const button of document.querySelectorAll('[data-set-lang]')) {
    button.setAttribute('aria-pressed', String(button.dataset.setLang === state.lang));
  }
  const theme = document.getElementById('theme-select');
  if (theme && theme.value !== state.theme) theme.value = state.theme;
  const title = document.querySelector(`meta[name="title-${state.lang}"]`)?.content;
  if (title && !document.querySelector('[data-widget-from-query]')) document.title = title;
}

async function main() {
  performance.mark('posenc:main');
  const els = slots();
  const ids = [...new Set(els.map((el) => el.dataset.widget))];
  // The package and the widgets' modules load together.
  const loading = init();
  loading.catch(() => {});
  let modules;
  try {
    modules = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await WIDGETS[id]()])));
  } catch (e) {
    statusLine.textContent = `${STATUS.en.failed} ${e instanceof Error ? e.message : String(e)}`;
    statusLine.classList.add('error');
    return;
  }
  let schema = { ...GLOBAL };
  for (const id of ids) schema = { ...schema, ...prefixed(id, modules[id].schema) };
  const store = createStore(schema);
  let state = store.get();
  applyGlobals(state);
  statusLine.textContent = STATUS[state.lang].loading;

  for (const button of document.querySelectorAll('[data-set-lang]')) {
    button.addEventListener('click', () => store.set({ lang: button.dataset.setLang }));
  }
  document.getElementById('theme-select')?.addEventListener('change', (e) => store.set({ theme: e.target.value }));
  // In-page links (skip link, contents) move focus and scroll without touching the hash, which holds
  // the settings: '#sec-t5' in the address bar would otherwise replace them with the defaults.
  document.addEventListener('click', (e) => {
    const link = e.target.closest?.('a[href^="#"]');
    const target = link && document.getElementById(link.getAttribute('href').slice(1));
    if (!target) return;
    e.preventDefault();
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: 'start' });
  });

  let pe;
  try {
    pe = await loading;
  } catch (e) {
    statusLine.textContent = `${STATUS[state.lang].failed} ${e instanceof Error ? e.message : String(e)}`;
    statusLine.classList.add('error');
    return;
  }
  performance.mark('posenc:loaded');

  let mounted = [];
  const mountAll = async (lang) => {
    for (const m of mounted) m.widget.destroy();
    mounted = [];
    for (const el of els) {
      const id = el.dataset.widget;
      el.replaceChildren();
      const widget = modules[id].create(el, {
        pe, lang, state: unprefixed(id, store.get()),
        onChange: (partial) => store.set(prefixed(id, partial)),
      });
      mounted.push({ id, widget });
      if (mounted.length === 1) {
        performance.mark('posenc:first-widget');
        root.dataset.firstWidget = 'ready';
      }
      // Let the browser paint and handle input between widgets: the first is usable at once.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    // embed.html: its one heading names the widget (visually hidden: the widget shows its own title).
    const heading = document.getElementById('embed-title');
    const title = els[0]?.querySelector('h2')?.textContent;
    if (heading && title) {
      heading.textContent = `posenc: ${title}`;
      document.title = heading.textContent;
    }
    performance.mark('posenc:all-widgets');
    root.dataset.widgets = 'ready';
  };
  // Listen before mounting: a control used while later widgets are still mounting (the first widget
  // is usable at once) reaches the widgets mounted so far; the later ones start from the new state.
  store.subscribe(async (next) => {
    const prev = state;
    state = next;
    applyGlobals(next);
    if (next.lang !== prev.lang) {
      statusLine.textContent = STATUS[next.lang].ready(pe);
      delete root.dataset.widgets;
      await mountAll(next.lang);
      return;
    }
    if (next.theme !== prev.theme) redrawAll();
    for (const { id, widget } of mounted) widget.update(unprefixed(id, next));
  });
  await mountAll(state.lang);
  statusLine.textContent = STATUS[state.lang].ready(pe);
}

main();
