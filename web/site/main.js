// SPDX-License-Identifier: MIT
// Entry point of the demo site: loads posenc once, keeps the settings in the URL hash and mounts
// every widget the page asks for with <div data-widget="name">.
//
// Adding a widget: write widgets/<name>.js exporting create<Name>(container, { pe, state, onChange })
// -> { update(state), destroy() } and its stateSchema (URL hash keys, see lib/state.js), then list
// it in WIDGETS below. Hash keys must be unique across widgets.
import { init } from '../package/index.js';
import { createStore } from './lib/state.js';
import { createSinusoidalHeatmap, stateSchema as sinusoidalSchema } from './widgets/sinusoidal-heatmap.js';

const WIDGETS = {
  'sinusoidal-heatmap': { create: createSinusoidalHeatmap, schema: sinusoidalSchema },
};

const statusLine = document.getElementById('site-status');

function schemaOf(names) {
  const schema = {};
  for (const name of names) {
    for (const [key, spec] of Object.entries(WIDGETS[name].schema)) {
      if (Object.hasOwn(schema, key) && schema[key] !== spec) throw new Error(`main: hash key ${key} is used by two widgets`);
      schema[key] = spec;
    }
  }
  return schema;
}

async function main() {
  const slots = [...document.querySelectorAll('[data-widget]')].filter((el) => Object.hasOwn(WIDGETS, el.dataset.widget));
  let pe;
  try {
    pe = await init();
  } catch (e) {
    statusLine.textContent = `posenc could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    statusLine.classList.add('error');
    return;
  }
  const store = createStore(schemaOf(new Set(slots.map((el) => el.dataset.widget))));
  const mounted = slots.map((el) => {
    el.replaceChildren();
    return WIDGETS[el.dataset.widget].create(el, { pe, state: store.get(), onChange: (partial) => store.set(partial) });
  });
  store.subscribe((state) => {
    for (const widget of mounted) widget.update(state);
  });
  statusLine.textContent = `posenc ${pe.version}, ${pe.simd ? 'WebAssembly SIMD' : 'baseline WebAssembly (no SIMD)'} build (${pe.arch}).`;
}

main();
