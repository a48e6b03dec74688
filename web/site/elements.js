// SPDX-License-Identifier: MIT
// Custom elements for embedding one widget in any page: <posenc-rope pos="40" lang="ja"></posenc-rope>.
// This file is the entry of the one-file bundle posenc-widgets.js (scripts/build-site.mjs): the
// package, its WebAssembly (inlined), the widgets and the stylesheet in a single ES module, which
// runs under `script-src 'self' 'wasm-unsafe-eval'` (no eval, no inline style: the stylesheet is a
// constructed CSSStyleSheet adopted by each element's shadow root).
//
// Attributes: the widget's settings (the keys after "<id>." in the site's URL, e.g. pos, dim),
// plus lang ("en" | "ja") and theme ("auto" | "light" | "dark"). Invalid values fall back to
// their defaults, as in the URL.
import cssText from './style.css';
import { init } from '../package/index.js';
import { setSiteBase } from './lib/embed.js';
import { LANGS } from './lib/i18n.js';
import { normalise } from './lib/state.js';
import { WIDGETS } from './widgets/index.js';

setSiteBase(new URL('./', import.meta.url));

let sheet = null;
function styles() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(cssText);
  }
  return sheet;
}

function defineElement(id, { create, schema }) {
  const keys = Object.keys(schema);
  class PosencWidget extends HTMLElement {
    static observedAttributes = [...keys, 'lang', 'theme'];

    #widget = null;
    #state = null;
    #lang = 'en';
    #host = null;
    #loading = null;

    #fromAttributes() {
      const raw = {};
      for (const key of keys) if (this.hasAttribute(key)) raw[key] = this.getAttribute(key);
      const lang = this.getAttribute('lang');
      return { state: normalise(schema, raw), lang: LANGS.includes(lang) ? lang : 'en' };
    }

    connectedCallback() {
      if (!this.shadowRoot) {
        const root = this.attachShadow({ mode: 'open' });
        root.adoptedStyleSheets = [styles()];
        this.#host = document.createElement('div');
        this.#host.className = 'posenc-host';
        root.append(this.#host);
      }
      if (this.#widget || this.#loading) return;
      this.#loading = init().then((pe) => {
        this.#loading = null;
        if (!this.isConnected) return;
        this.pe = pe;
        this.#mount();
      }, (e) => {
        this.#loading = null;
        const p = document.createElement('p');
        p.className = 'widget-error';
        p.textContent = `posenc could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
        this.#host.replaceChildren(p);
      });
    }

    #mount() {
      const { state, lang } = this.#fromAttributes();
      this.#state = state;
      this.#lang = lang;
      this.#widget?.destroy();
      this.#host.replaceChildren();
      this.#widget = create(this.#host, {
        // workers: false: this one file has no worker file beside it (extrapolation trains on the main thread).
        pe: this.pe, lang, state, workers: false,
        onChange: (partial) => {
          this.#state = normalise(schema, { ...this.#state, ...partial });
          this.#widget.update(this.#state);
          this.dispatchEvent(new CustomEvent('posenc-change', { detail: { ...this.#state } }));
        },
      });
      this.dataset.ready = 'true';
    }

    attributeChangedCallback(name) {
      if (!this.#widget) return;
      if (name === 'lang') {
        this.#mount();
      } else if (name === 'theme') {
        this.#widget.redraw();
      } else {
        this.#state = this.#fromAttributes().state;
        this.#widget.update(this.#state);
      }
    }

    disconnectedCallback() {
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
