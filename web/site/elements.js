// SPDX-License-Identifier: MIT
// Custom elements for embedding one widget in any page: <posenc-rope pos="40" lang="ja"></posenc-rope>.
// This file is the entry of web/site/dist/posenc-widgets.js (scripts/build-site.mjs), which defines
// every element at once and loads a widget's own code, the package and its WebAssembly only when a
// page holds that element. It runs under `script-src 'self' 'wasm-unsafe-eval'` (no eval, no inline
// style: the stylesheet is a constructed CSSStyleSheet adopted by each element's shadow root); the
// .wasm is fetched from beside the script, so a page whose CSP names the site in script-src must
// name it in connect-src too.
//
// Attributes: the widget's settings (the keys after "<id>." in the site's URL, e.g. pos, dim),
// plus lang ("en" | "ja") and theme ("auto" | "light" | "dark"). Invalid values fall back to
// their defaults, as in the URL. Without lang, the element takes its page's language (the nearest
// lang attribute, e.g. <html lang="ja">; "ja-JP" counts as ja). Without theme, it takes its page's
// colour scheme: the CSS color-scheme of the element, or else <meta name="color-scheme">: "dark"
// alone is dark, "light" alone or none declared is light (the browser's default page), both follow
// the reader's preference. Until the widget is drawn the element shows what the page put inside it
// (the snippet's link to the same view on the site) under a loading line; if posenc cannot be
// loaded, the error in place of the loading line.
import cssText from './style.css';
import { init } from '../package/index.js';
import { setSiteBase } from './lib/embed.js';
import { COMMON, LANGS } from './lib/i18n.js';
import { normalise } from './lib/state.js';
import { WIDGETS } from './widgets/index.js';
// Every page that loads this entry mounts a widget: importing the widgets' shared frame here puts it
// into the entry's chunk, one file (and about 1 kB gzipped) less than a chunk of its own.
import './lib/widget.js';

// Bundled, this file sits in the site's dist/ folder (scripts/build-site.mjs defines the root).
setSiteBase(new URL(import.meta.posencSiteRoot ?? './', import.meta.url));

/** The language of the page around `el`: its nearest lang attribute, as one of LANGS (else 'en'). */
function pageLang(el) {
  const lang = (el.parentElement?.closest('[lang]') ?? document.documentElement).getAttribute('lang') ?? '';
  return LANGS.find((l) => lang.toLowerCase() === l || lang.toLowerCase().startsWith(`${l}-`)) ?? 'en';
}

/** The colour scheme of the page around `el`: 'light', 'dark' or 'auto' (the reader's preference). */
function pageScheme(el) {
  const declared = (value) => {
    const words = String(value ?? '').toLowerCase().split(/\s+/);
    const light = words.includes('light');
    const dark = words.includes('dark');
    return light && dark ? 'auto' : dark ? 'dark' : light ? 'light' : null;
  };
  return declared(getComputedStyle(el.parentElement ?? document.documentElement).colorScheme)
    ?? declared(document.querySelector('meta[name="color-scheme"]')?.content) ?? 'light';
}

let sheet = null;
function styles() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(cssText);
  }
  return sheet;
}

// The widget's module (its create function and settings schema) is loaded with the package, when
// the first element of its kind connects: the settings' attributes are therefore watched by a
// MutationObserver (observedAttributes must be known when the element is defined).
function defineElement(id, loadWidget) {
  let keys = [];
  let create = null;
  let schema = null;
  class PosencWidget extends HTMLElement {
    static observedAttributes = ['lang', 'theme'];

    #widget = null;
    #observer = null;
    #state = null;
    #lang = 'en';
    #host = null;
    #loading = null;

    #fromAttributes() {
      const raw = {};
      for (const key of keys) if (this.hasAttribute(key)) raw[key] = this.getAttribute(key);
      const lang = this.getAttribute('lang');
      return { state: schema ? normalise(schema, raw) : null, lang: lang === null ? pageLang(this) : LANGS.includes(lang) ? lang : 'en' };
    }

    /** Without a theme attribute (or with "auto"), follow the page: data-scheme for the stylesheet. */
    #applyScheme() {
      const theme = this.getAttribute('theme');
      const scheme = theme === 'light' || theme === 'dark' ? null : pageScheme(this);
      if (scheme === 'light' || scheme === 'dark') this.dataset.scheme = scheme;
      else delete this.dataset.scheme;
    }

    /** The loading line, the page's own content of the element (the snippet's link), and an error line. */
    #placeholder() {
      const lang = this.#fromAttributes().lang;
      const line = document.createElement('p');
      line.className = 'widget-status';
      line.setAttribute('role', 'status');
      line.textContent = (COMMON[lang] ?? COMMON.en).loadingPosenc;
      this.#host.replaceChildren(line, document.createElement('slot'));
      return line;
    }

    connectedCallback() {
      if (!this.shadowRoot) {
        const root = this.attachShadow({ mode: 'open' });
        root.adoptedStyleSheets = [styles()];
        this.#host = document.createElement('div');
        this.#host.className = 'posenc-host';
        root.append(this.#host);
      }
      this.#applyScheme();
      if (this.#widget || this.#loading) return;
      const line = this.#placeholder();
      this.#loading = Promise.all([init(), loadWidget()]).then(([pe, widget]) => {
        this.#loading = null;
        ({ create, schema } = widget);
        keys = Object.keys(schema);
        if (!this.isConnected) return;
        this.pe = pe;
        this.#observer ??= new MutationObserver((records) => {
          if (this.#widget && records.some((r) => keys.includes(r.attributeName))) {
            this.#state = this.#fromAttributes().state;
            this.#widget.update(this.#state);
          }
        });
        this.#observer.observe(this, { attributes: true });
        this.#mount();
      }, (e) => {
        this.#loading = null;
        line.className = 'widget-error';
        line.textContent = `posenc could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
      });
    }

    #mount() {
      const { state, lang } = this.#fromAttributes();
      this.#state = state;
      this.#lang = lang;
      this.#widget?.destroy();
      this.#host.replaceChildren();
      this.#widget = create(this.#host, {
        // workers: false: the page may be on another origin, which cannot start a worker from the site (extrapolation trains on the main thread).
        pe: this.pe, lang, state, workers: false,
        onChange: (partial) => {
          this.#state = normalise(schema, { ...this.#state, ...partial });
          this.#widget.update(this.#state);
          this.dispatchEvent(new CustomEvent('posenc-change', { detail: { ...this.#state } }));
        },
      });
      this.dataset.ready = 'true';
      performance.mark(`posenc:element-ready:${this.localName}`);
    }

    attributeChangedCallback(name) {
      if (!this.#widget) return;
      if (name === 'lang') {
        this.#mount();
      } else if (name === 'theme') {
        this.#applyScheme();
        this.#widget.redraw();
      }
    }

    disconnectedCallback() {
      this.#observer?.disconnect();
      this.#observer = null;
      this.#widget?.destroy();
      this.#widget = null;
      delete this.dataset.ready;
    }

    /** The widget's current settings. */
    get state() {
      return this.#state;
    }
  }
  if (!customElements.get(`posenc-${id}`)) customElements.define(`posenc-${id}`, PosencWidget);
}

for (const [id, widget] of Object.entries(WIDGETS)) defineElement(id, widget);
