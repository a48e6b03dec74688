// SPDX-License-Identifier: MIT
// h(tag, props, ...children): build elements without HTML strings. Strings become text nodes;
// props become attributes (never event handlers or inline styles, which the CSP forbids anyway).

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (/^on|^style$/i.test(key)) throw new TypeError(`h: attribute ${key} is not allowed`);
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

let counter = 0;
/** A page-unique id for label/aria wiring (several widgets may share a page). */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}
