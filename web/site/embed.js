// SPDX-License-Identifier: MIT
// posenc's iframe resizer, the second line of the iframe snippet:
//
//   <iframe src="https://HOST/site/embed.html?w=rope" ... data-posenc-embed="rope"></iframe>
//   <script src="https://HOST/site/embed.js" async></script>
//
// A classic script with no inline part: it runs under `script-src https://HOST`, or copied to the
// blog's own server under `script-src 'self'`. Each <iframe data-posenc-embed="<id>"> takes the
// height its page reports (see lib/embed.js): no inner scroll box. A message is accepted only from
// the window of such an iframe (event.source), from the origin of that iframe's src, and for the
// widget it shows. Loading the script twice is harmless.
(() => {
  const key = Symbol.for('posenc.embed');
  if (window[key]) return;
  window[key] = true;

  const originOf = (frame) => {
    try {
      return new URL(frame.src, document.baseURI).origin;
    } catch {
      return null;
    }
  };
  const frames = () => document.querySelectorAll('iframe[data-posenc-embed]');

  window.addEventListener('message', (event) => {
    const data = event.data;
    if (!data || typeof data !== 'object' || data.type !== 'posenc:height' || typeof data.id !== 'string') return;
    const height = Number(data.height);
    if (!Number.isFinite(height) || height < 50 || height > 100000) return;
    for (const frame of frames()) {
      if (frame.contentWindow === event.source && originOf(frame) === event.origin && frame.dataset.posencEmbed === data.id) {
        frame.height = String(Math.ceil(height));
      }
    }
  });

  // Frames that loaded before this script ran have already reported their height: ask again.
  // (To any origin: the request carries nothing, and a frame still at about:blank must not log an error.)
  const ask = (frame) => frame.contentWindow?.postMessage({ type: 'posenc:measure' }, '*');
  for (const frame of frames()) {
    ask(frame);
    frame.addEventListener('load', () => ask(frame));
  }
})();
