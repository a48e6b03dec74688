// SPDX-License-Identifier: MIT
// The frame every widget shares: heading and caption, a group of labelled controls, figures, an
// error line (text only), a status line, and the Embed panel. mountWidget() turns a widget's
// description into the { update(state), destroy() } object the page and the custom elements use:
//
//   export function createRope(container, options) {          // options: { pe, state, onChange, lang }
//     return mountWidget(container, options, { id: 'rope', schema, text: TEXT, setup(w) {
//       const fig = w.figure({ ... });
//       return { render(state) { ... fig.paint(...) } };
//     } });
//   }
//
// A package error thrown by render() hides the figures (class 'failed') and is shown as text; a widget
// may return explain(parameter, message) to word it in the page's language (the Japanese page always
// names the parameter in Japanese), the package's own message following in small type.
//
// render() runs inside performance marks (measure `posenc:update:<id>`); the root element carries
// data-status ('ready' | 'error'), data-draws (renders so far) and data-drawn (the state drawn, as
// its hash) for the tests.
import { button } from './controls.js';
import { h, uid } from './dom.js';
import { snippets } from './embed.js';
import { MissingApi } from './analysis.js';
import { createFigure } from './figure.js';
import { COMMON, tr } from './i18n.js';
import { normalise, serialise } from './state.js';

/** An error in what the reader gave (not valid JSON, an unknown name): shown without "the package reported". */
export class InputError extends Error {}

/** The parameter a package error names: "posenc.ns.fn: factor must be …" -> "factor" ("config.rope_scaling.rope_type" -> "rope_scaling.rope_type"). */
export function errorParameter(message) {
  const m = /^posenc\.[\w.]+: ([\w.[\]]+)/.exec(message);
  return m ? m[1].replace(/^config\./, '').replace(/\[\d+\]$/, '') : null;
}

function themeOf(root) {
  const host = root.getRootNode()?.host;
  const t = host?.getAttribute('theme') ?? document.documentElement.dataset.theme;
  return t === 'light' || t === 'dark' ? t : 'auto';
}

export function mountWidget(container, { pe, state, onChange = () => {}, lang = 'en' }, { id, schema, text, setup, embedHeight = 760 }) {
  const t = tr(lang, text);
  const common = COMMON[lang] ?? COMMON.en;
  const headingId = uid(`${id}-title`);
  const controls = h('div', { class: 'controls', role: 'group', 'aria-label': `${t.title}: ${common.settings}` });
  const body = h('div', { class: 'widget-body' });
  const error = h('p', { class: 'widget-error', role: 'alert', hidden: true });
  const status = h('p', { class: 'widget-status', 'aria-live': 'off' });
  const embedButton = h('button', { type: 'button', class: 'button', 'aria-expanded': 'false' }, common.embed);
  const embedPanel = h('div', { class: 'embed-panel', hidden: true });
  const root = h('section', { class: 'widget', 'aria-labelledby': headingId, dataset: { widget: id } },
    h('header', { class: 'widget-head' },
      h('h2', { id: headingId }, t.title),
      ...[].concat(t.caption).map((p) => h('p', { class: 'caption' }, p))),
    controls,
    body,
    error,
    h('div', { class: 'widget-foot' }, status, embedButton),
    embedPanel);
  container.append(root);

  let current = null;
  let draws = 0;
  const figures = [];
  const cleanups = [];
  const scope = new Set();  // the figures whose readouts link

  const w = {
    id, pe, lang, t, common, root, controls, body,
    /** onChange for one key. */
    set: (key) => (value) => onChange({ [key]: value }),
    change: (partial) => onChange(partial),
    /** A figure in the body (or in `parent`). */
    figure(opts, parent = body) {
      const fig = createFigure({ lang, ...opts, name: `${id}-${opts.name}`, scope });
      figures.push(fig);
      parent.append(fig.element);
      return fig;
    },
    /** Show the package's error message as text (null hides it). */
    error(message) {
      error.textContent = message ? `${common.error}${common.error.endsWith('：') ? '' : ' '}${message}` : '';
      error.hidden = !message;
    },
    status(textContent) {
      status.textContent = textContent;
    },
    /** Show the error line under `element` (e.g. the config field it is about) instead of under the figures. */
    errorAfter(element) {
      element.append(error);
    },
    onDestroy(fn) {
      cleanups.push(fn);
    },
    state: () => current,
  };
  const impl = setup(w);

  function render(s, force = false) {
    const key = serialise(schema, s, { all: true });
    if (!force && current && serialise(schema, current, { all: true }) === key) return;
    current = s;
    for (const [k, c] of Object.entries(impl.controls ?? {})) c.set(s[k]);
    const t0 = performance.now();
    performance.mark(`posenc:start:${id}`);
    let ok = true;
    root.classList.remove('failed');
    try {
      w.error(null);
      impl.render(s);
    } catch (e) {
      ok = false;
      root.classList.add('failed');  // the figures of the last good state are hidden (style.css)
      const message = e instanceof Error ? e.message : String(e);
      // A widget may say in the page's language what the reader can change (explain(parameter, message)).
      const parameter = errorParameter(message);
      const said = e instanceof MissingApi || e instanceof InputError ? null
        : impl.explain?.(parameter, message) ?? common.badParameter?.(parameter) ?? null;
      if (said) {
        error.replaceChildren(said, ' ', h('small', { class: 'package-message', lang: 'en' }, `(${message})`));
        error.hidden = false;
      } else if (e instanceof MissingApi || e instanceof InputError) {
        error.textContent = e instanceof MissingApi ? common.missing(e.message) : e.message;
        error.hidden = false;
      } else {
        w.error(message);
      }
    }
    performance.measure(`posenc:update:${id}`, `posenc:start:${id}`);
    const ms = performance.now() - t0;
    draws += 1;
    root.dataset.draws = String(draws);
    root.dataset.status = ok ? 'ready' : 'error';
    root.dataset.drawn = serialise(schema, s);
    if (impl.status !== false) {
      const build = pe.simd ? 'WebAssembly SIMD' : 'WebAssembly';
      status.textContent = `${build} · ${common.computed(ms < 10 ? ms.toFixed(1) : ms.toFixed(0))}`;
    }
    if (!embedPanel.hidden) fillEmbed();
  }

  function fillEmbed() {
    const { iframe, element } = snippets({ id, title: t.title, schema, state: current, lang, theme: themeOf(root), height: embedHeight, fallback: common.embedFallback });
    const block = (label, code, kind) => {
      const pre = h('pre', { class: 'snippet', tabindex: '0', dataset: { snippet: kind } }, h('code', {}, code));
      const copy = button(common.copy, async () => {
        try {
          await navigator.clipboard.writeText(code);
          copy.textContent = common.copied;
        } catch {
          const range = document.createRange();
          range.selectNodeContents(pre);
          const sel = root.getRootNode().getSelection?.() ?? window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
        }
      }, { class: 'button small' });
      return h('div', { class: 'snippet-block' }, h('p', {}, label), pre, copy);
    };
    embedPanel.replaceChildren(
      h('h3', {}, common.embedTitle),
      block(common.embedIframe, iframe, 'iframe'),
      block(common.embedElement, element, 'element'));
  }
  embedButton.addEventListener('click', () => {
    embedPanel.hidden = !embedPanel.hidden;
    embedButton.setAttribute('aria-expanded', String(!embedPanel.hidden));
    if (!embedPanel.hidden) fillEmbed();
  });

  render(normalise(schema, state));

  return {
    element: root,
    update(next) {
      render(normalise(schema, next));
    },
    /** Draw again with the same state (after a theme change). */
    redraw() {
      for (const f of figures) f.redraw();
    },
    destroy() {
      for (const fn of cleanups) fn();
      impl.destroy?.();
      for (const f of figures) f.destroy();
      root.remove();
    },
  };
}

/** One row of small text under a figure: "label: value" pairs. */
export function readout(...parts) {
  return h('p', { class: 'readout' }, ...parts);
}
