// SPDX-License-Identifier: MIT
// A static file server for the demo site: serves web/ (the site at /site/, the package it imports at
// /package/) from 127.0.0.1 with the strict Content-Security-Policy the widgets must run under.
// Every file is sent with `Access-Control-Allow-Origin: *` and `Cross-Origin-Resource-Policy:
// cross-origin`: a blog on another origin loads dist/posenc-widgets.js as a module script (a CORS
// request), embed.js, and the .wasm beside the bundle; nothing here is private.
//
// The pages are cross-origin isolated (`crossOriginIsolated` is true, SharedArrayBuffer exists): every
// response carries `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy:
// require-corp` (the documents for isolation, the module workers because an isolated page can only
// start workers that send COEP too). Everything a page loads is from this server, so each
// subresource passes require-corp. embed.html stays embeddable: in an iframe of a page that is not
// isolated it loads as before (only without isolation: COOP is ignored in frames), and in a page
// that is isolated it passes that page's require-corp (it sends COEP itself, and CORP).
//
//   node scripts/serve.mjs [--port 8080] [--host 127.0.0.1] [--not-isolated]
//
// Also imported by the browser tests: startServer({ port: 0 }) -> { url, close }; `isolated: false`
// leaves out COOP and COEP (a static host that sends neither).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(fileURLToPath(new URL('../web/', import.meta.url)));

export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";
// The single-widget page is made to be embedded in other sites' pages (an iframe in a blog post).
const CSP_EMBED = CSP.replace("frame-ancestors 'self'", 'frame-ancestors *');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

// Sent gzipped to a client that accepts it, as static hosts do (the sizes the site's README states
// are these); compressed once per file version.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.svg', '.ts', '.md']);
const gzipped = new Map();
function gzipOf(file, mtimeMs) {
  const hit = gzipped.get(file);
  if (hit?.mtimeMs === mtimeMs) return hit.body;
  const body = gzipSync(readFileSync(file), { level: 9 });
  gzipped.set(file, { mtimeMs, body });
  return body;
}

export const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

// `csp`: the policy of every response (the tests serve a blog on a second origin with its own);
// `isolated`: send COOP/COEP (ISOLATION) with every file.
export function startServer({ port = 8080, host = '127.0.0.1', root = ROOT, csp = CSP, isolated = true } = {}) {
  const send = (res, status, text) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-security-policy': csp });
    res.end(text);
  };
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    let path;
    try {
      path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(res, 400, 'bad request');
    }
    if (path === '/') {
      res.writeHead(302, { location: '/site/' });
      return res.end();
    }
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return send(res, 403, 'forbidden');
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const { size, mtimeMs } = statSync(file);
      const gzip = COMPRESSIBLE.has(extname(file)) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
      const body = gzip ? gzipOf(file, mtimeMs) : null;
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': body ? body.length : size,
        ...(body ? { 'content-encoding': 'gzip' } : {}),
        vary: 'accept-encoding',
        'content-security-policy': csp === CSP && file.endsWith(`${sep}embed.html`) ? CSP_EMBED : csp,
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-cache',
        'access-control-allow-origin': '*',
        'cross-origin-resource-policy': 'cross-origin',
        ...(isolated ? ISOLATION : {}),
      });
      if (req.method === 'HEAD') return res.end();
      if (body) res.end(body);
      else createReadStream(file).pipe(res);
    } catch {
      send(res, 404, 'not found');
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({
        url: `http://${host}:${actual}/`,
        // Keep-alive connections would hold close() open until they time out: end them too.
        close: () => new Promise((done) => {
          server.close(done);
          server.closeAllConnections();
        }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
  };
  const isolated = !process.argv.includes('--not-isolated');
  const { url } = await startServer({ port: Number(arg('--port', 8080)), host: arg('--host', '127.0.0.1'), isolated });
  console.log(`posenc demo site: ${url}site/${isolated ? '' : ' (not cross-origin isolated)'}`);
  console.log('(Ctrl+C to stop)');
}
