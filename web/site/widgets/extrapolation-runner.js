// SPDX-License-Identifier: MIT
// The runners of the train-short-test-long widget (extrapolation.js), imported at the first Start:
// each method in its own module Web Worker (lm-worker.js), or, for the custom element (no workers),
// one after another on the main thread in time slices. Both drive lib/lm-run.js and pass its
// reports to `report(job, message)`; `settled()` when every job has ended; `cancel()` stops them.
import { corpusData, runMethod } from '../lib/lm-run.js';

const SLICE_MS = 12;

// How many threads a run used, and whether the page is cross-origin isolated (the run line of the
// widget, once a run has ended). Each model trains on one thread, so a run uses at most one thread
// per model; shared memory would let several threads train one model (posenc/worker's pool), which
// this widget does not do.
const NOTE = {
  en: {
    workers: (k) => ` ${k} thread${k === 1 ? '' : 's'} ran at once, one Web Worker per model.`,
    inline: ' 1 thread ran: this page\'s main thread, in time slices.',
    idle: (idle, cores) => ` ${idle} of this device's ${cores} cores stayed idle: each model trains on one thread.`,
    isolated: (yes) => (yes ? ' The page is cross-origin isolated (shared memory available).' : ' The page is not cross-origin isolated (no shared memory).'),
  },
  ja: {
    workers: (k) => `同時に ${k} スレッドで実行しました（モデルごとに Web Worker 1 つ）。`,
    inline: '1 スレッドで実行しました（このページのメインスレッド、タイムスライス）。',
    idle: (idle, cores) => `この端末の ${cores} コアのうち ${idle} コアは空いていました（1 つのモデルは 1 スレッドで学習します）。`,
    isolated: (yes) => (yes ? 'このページはクロスオリジン分離されています（共有メモリを使えます）。' : 'このページはクロスオリジン分離されていません（共有メモリなし）。'),
  },
};

/** The run line's note: `threads` that ran at once (0: the main thread), for `models` models. */
export function threadsNote(lang, threads, models) {
  const t = NOTE[lang] ?? NOTE.en;
  const cores = navigator.hardwareConcurrency || 0;
  return (threads ? t.workers(threads) : t.inline) + (threads && cores > models ? t.idle(cores - threads, cores) : '')
    + t.isolated(globalThis.crossOriginIsolated === true);
}
const WORKER_URL = new URL('./lm-worker.js', import.meta.url);

/** Methods on the main thread, one after another, in slices (the custom element: no workers). */
export function runInline(pe, jobs, text, report, settled) {
  const channel = new MessageChannel();
  const queue = [...jobs];
  let data = text;
  let current = null;
  let it = null;
  let stopped = false;
  const slice = () => {
    if (stopped) return;
    const t0 = performance.now();
    do {
      try {
        if (!it) {
          current = queue.shift();
          if (!current) {
            channel.port1.close();
            settled();
            return;
          }
          report(current, { type: 'launch' });
          data ??= corpusData(pe, current);
          it = runMethod(pe, { ...current, data }, { chunk: 1 });
          continue;
        }
        const { value, done } = it.next();
        if (value) report(current, value);
        if (done) it = null;
      } catch (e) {
        it = null;
        report(current, { type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    } while (performance.now() - t0 < SLICE_MS);
    channel.port2.postMessage(0);
  };
  channel.port1.addEventListener('message', slice);
  channel.port1.start();
  channel.port2.postMessage(0);
  return {
    cancel() {
      stopped = true;
      it?.return();
      channel.port1.close();
    },
  };
}

/** Each method in its own module worker, `width` at a time. */
export function runWorkers(jobs, text, width, report, settled, count, failed) {
  const queue = [...jobs];
  const live = new Set();
  let stopped = false;
  const launch = () => {
    const job = queue.shift();
    if (!job) {
      if (!live.size) settled();
      return;
    }
    const worker = new Worker(WORKER_URL, { type: 'module', name: `posenc-lm-${job.method}` });
    live.add(worker);
    count(live.size);
    report(job, { type: 'launch' });
    const end = () => {
      worker.terminate();
      live.delete(worker);
      count(live.size);
      if (!stopped) launch();
    };
    worker.addEventListener('message', ({ data }) => {
      if (stopped) return;
      report(job, data);
      if (data.type === 'done' || data.type === 'error') end();
    });
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      if (stopped) return;
      report(job, { type: 'error', message: e.message || failed });
      end();
    });
    worker.postMessage({ ...job, text });
  };
  for (let i = 0; i < width; i++) launch();
  return {
    cancel() {
      stopped = true;
      for (const worker of live) worker.terminate();
      live.clear();
      count(0);
    },
  };
}
