// SPDX-License-Identifier: MIT
// Widget 11: train short, test long, live (issue 6; CLAIMS 6, 11, 13). The reader picks position
// methods; each trains the project's tiny language model (pe.lm, the study's settings) at L = 64 in
// its own module Web Worker (lm-worker.js), as many at a time as the device has cores, and reports
// its loss every 20 steps; then perplexity at 1x ... 16x L fills a table and a log-log plot next to
// the paper's numbers. RoPE's run is also evaluated with position interpolation, NTK-aware scaling
// and YaRN (at evaluation only, no training) and, optionally, after a 200-step fine-tune at 4L. A
// dropped text file is read locally and split 90/10. Until the reader's first run, the plots and the
// table show the reference run (data/reference-run.json: the native command at the default settings,
// written by scripts/reference-run.mjs), loaded with a dynamic import once the widget has drawn.
// After a run in workers, extrapolation-context.js shows how much each model uses the long context
// (claim 13) and, with the opt-in sinusoidal model at 2L, the equal-compute comparison with ALiBi.
//
// The custom elements (elements.js) may be loaded from another origin, whose page cannot start a
// worker from the site, so they pass { workers: false }:
// then the methods run one after another on the main thread, the same generator (lib/lm-run.js)
// driven in slices of about 12 ms plus one unit (one training step or one evaluation window),
// with a MessageChannel yield between slices. The fine-tune (about 60 ms per step) needs workers.
import { button, checkboxField, numberField, selectField } from '../lib/controls.js';
import { h } from '../lib/dom.js';
import { siteUrl } from '../lib/embed.js';
import { CONTEXT, LENGTHS, SCALINGS, finetuneSteps, splitText } from '../lib/lm-run.js';
import { FONT, axes, inset, legend, niceTicks, series } from '../lib/plot.js';
import { mountWidget } from '../lib/widget.js';

// Training runs: URL key, pe.lm position, colour (a CSS custom property of style.css).
const METHODS = [
  { key: 'sinusoidal', position: 'sinusoidal', colour: 'c2' },
  { key: 'rope', position: 'rope', colour: 'c1' },
  { key: 'alibi', position: 'alibi', colour: 'c3' },
  { key: 't5', position: 't5', colour: 'c4' },
  { key: 'kerple', position: 'kerple', colour: 'c7' },
  { key: 'nope', position: 'none', colour: 'c5' },
  { key: 'learned', position: 'learned', colour: 'c6' },
  // Equal compute (the paper's CC100 comparison, at toy scale): sinusoidal at 2L on the same tokens.
  { key: 'sin2l', position: 'sinusoidal', colour: 'c2', context: 128, batch: 4 },
];
// Rows of the results: the methods, plus RoPE's run evaluated with PI, NTK-aware scaling and YaRN.
const ROWS = ['sinusoidal', 'sin2l', 'rope', 'pi', 'ntk', 'yarn', 'pift', 'alibi', 't5', 'kerple', 'nope', 'learned'];
const LOOK = Object.fromEntries([...METHODS.map((m) => [m.key, { colour: m.colour }]),
  ['pi', { colour: 'c1', dash: [7, 4] }], ['ntk', { colour: 'c1', dash: [12, 3, 2, 3] }], ['yarn', { colour: 'c1', dash: [3, 2, 3, 6] }],
  ['pift', { colour: 'c1', dash: [2, 3] }], ['sin2l', { colour: 'c2', dash: [2, 2] }]]);
// Sizes: steps per model and tokens scored per length. The default is the reference run's.
const PRESETS = { quick: { steps: 200, scored: 4096 }, default: { steps: 400, scored: 8192 },
  study: { steps: 2000, scored: 32768 }, longer: { steps: 3000, scored: 32768 } };
// The reference run's numbers: fetched as their own chunk when the widget mounts (not in its bundle).
const loadReference = () => import('../data/reference-run.json', { with: { type: 'json' } }).then((m) => m.default);
const MAX_FILE_BYTES = 32 * 1024 * 1024;
const VIEW_MS = 200;
const REFERENCE_ALPHA = 0.4;  // the reference run's curves, drawn faintly
const WIDE = 520;  // px: the perplexity plot's legend beside it, else above it

export const schema = Object.freeze({
  sinusoidal: { type: 'bool', default: true },
  rope: { type: 'bool', default: true },
  alibi: { type: 'bool', default: true },
  t5: { type: 'bool', default: false },
  kerple: { type: 'bool', default: false },
  nope: { type: 'bool', default: false },
  learned: { type: 'bool', default: true },
  sin2l: { type: 'bool', default: false },
  pi: { type: 'bool', default: true },
  ntk: { type: 'bool', default: true },
  yarn: { type: 'bool', default: true },
  pift: { type: 'bool', default: false },
  steps: { type: 'int', default: PRESETS.default.steps, min: 20, max: 5000, step: 20 },
  scored: { type: 'int', default: PRESETS.default.scored, min: 1024, max: 65536, step: 1024 },
  seed: { type: 'int', default: 1, min: 0, max: 999999 },
});

// The comparison panel's numbers (the same in every language; null: cannot read that far).
// Press, Smith and Lewis 2022, WikiText-103 trained at 512 tokens, perplexity at 512 / 1012 / 15512
// (UNCHECKED: a value in the paper's appendix Table 2 that the project could not check against the paper's
// text, so it is not copied; the panel says so).
const UNCHECKED = Symbol('unchecked');
const PAPER = [['20.05', '43.5', '406'], ['20.07', '21.4', '79'], [UNCHECKED, UNCHECKED, '≈ 18.3']];
// The project's PyTorch study of this toy setting (2000 steps), perplexity at 64 / 256 / 1024.
const STUDY = [['4.41', '19.06', '30.12'], ['3.37', '3.34', '31.52'], ['3.37', '48.7', '54.2'], ['4.23', '4.15', '4.13'],
  ['3.41', '3.30', '3.30'], ['7.27', '8.79', '10.45'], ['4.40', null, null]];
const comparisonRows = (names, values, t) => names.map((name, i) => [name, ...values[i].map((v) => (v === UNCHECKED ? t.unchecked : v ?? t.cannotShort))]);

// What the default costs, measured in chromium on a two-core machine (see web/site/README.md).
const IDLE_EN = 'Press Start to train. Measured in chromium on a two-core machine: the default (4 methods, 400 steps) took 9 s ' +
  'when the machine was otherwise idle, 27 s when other work kept it busy (load average 9).';
const IDLE_JA = '「開始」を押すと学習が始まります。2 コアのマシンの chromium で測ると、標準の設定（4 手法、400 ステップ）は、ほかに処理がないときは 9 秒、ほかの処理で混んでいたとき（ロードアベレージ 9）は 27 秒かかりました。';

const TEXT = {
  en: {
    title: 'Train short, test long: a live reproduction in your browser',
    caption: [
      'Each method you pick trains its own tiny language model (d_model 32, 2 layers, 4 heads, MLP 128: the settings of the ' +
      'project\'s toy study) on windows of L = 64 characters of an invented language, on this device, each in its own Web ' +
      'Worker. Then every model reads unseen text in non-overlapping windows of 64, 128, 256, 512 and 1024 tokens, and the ' +
      'plot shows its perplexity (lower is better) at each length. After Start, every number comes from your run.',
      'What to look for (the shape of the project\'s study): sinusoidal rises once the windows outgrow L; RoPE holds to about 4L, ' +
      'then rises steeply; ALiBi and T5 (buckets end at 64) stay flat; NoPE starts higher and rises slowly; the learned table cannot ' +
      'read past its 64 rows; RoPE with PI but no fine-tuning is worse than plain RoPE at every longer length, and flat after a short fine-tune at 4L.',
      'A flat curve means the extra length does not hurt; it does not show that the model uses it. With non-overlapping ' +
      'windows, a model that used distant tokens would get lower perplexity at longer windows (more tokens have more history). ' +
      'ALiBi\'s penalty makes distant tokens nearly invisible (see the ALiBi widget): stable is not the same as using a long context.',
    ],
    methods: 'Methods (each trains its own model)',
    sinusoidal: 'sinusoidal', rope: 'RoPE', alibi: 'ALiBi', t5: 'T5 bias', kerple: 'KERPLE (log)', nope: 'NoPE (no positions)',
    learned: 'learned table', sin2l: 'sinusoidal at 2L = 128, batch 4: the same tokens (equal compute)',
    piGroup: 'RoPE stretched to longer inputs, from the RoPE run (factor = length / 64)',
    pi: 'PI at evaluation only (position interpolation, Chen et al. 2023)', ntk: 'NTK-aware scaling at evaluation only',
    yarn: 'YaRN at evaluation only (Peng et al. 2023)', pift: (n) => `PI ×4 after a fine-tune of ${n} steps at 4L`,
    piNote: 'PI divides positions by length / 64 (its paper then fine-tunes briefly); NTK-aware scaling enlarges the base instead; ' +
      'YaRN scales each frequency band apart. None of the three trains.',
    piftInline: ' The fine-tune needs the full page (Web Workers): one of its steps takes longer than a time slice.',
    names: { sin2l: 'sinusoidal at 2L', pi: 'RoPE + PI at evaluation', ntk: 'RoPE + NTK-aware at evaluation', yarn: 'RoPE + YaRN at evaluation',
      pift: (n) => `RoPE + PI, fine-tuned ${n} steps` },
    size: 'Size', presets: { quick: 'quick (200 steps)', default: 'default (400 steps)', study: 'as the project\'s study (2000 steps)',
      longer: 'longer (3000 steps)', custom: 'custom' },
    steps: 'Training steps per model', scored: 'Tokens scored per length', seed: 'Seed (corpus, weights, batches)',
    start: 'Start', cancel: 'Cancel',
    data: 'Text', corpus: 'The generated corpus: an invented language with agreement across clauses, nested brackets and names that recur (pe.corpus).',
    choose: 'Use your own text file…', useCorpus: 'Use the generated corpus',
    drop: 'or drop a text file here: it is read on this device, never uploaded, and not part of a link to this view. ' +
      'One byte is one token; bytes outside the 63-symbol alphabet (letters, space, newline, " ( ) , . : ; [ ]) become “?”. ' +
      'The first 90% trains, the last 10% is the evaluation text.',
    fileInfo: (name, n, tr, ev, q) => `Your text: ${name}, ${n.toLocaleString('en')} bytes (one token each): ${tr.toLocaleString('en')} to train on, ` +
      `${ev.toLocaleString('en')} to evaluate${q ? `; ${q.toLocaleString('en')} outside the alphabet (read as “?”)` : ''}.`,
    tooBig: (mb) => `That file is larger than ${mb} MB; please use a smaller one.`,
    plan: (n, steps, k, inline) => `${n} model${n === 1 ? '' : 's'} × ${steps} steps of 8 × 64 tokens` +
      (inline ? ', one after another on this page\'s main thread, in short time slices.' : `, up to ${k} at a time, each in its own Web Worker.`),
    planNone: 'Pick at least one method.',
    inlineNote: 'This embedded copy cannot start the site\'s workers, so it trains one model at a time on the page\'s main thread in slices of ' +
      'about 20 ms (the page stays usable; the full page, with a worker per core, is faster):',
    fullPage: 'open it',
    idle: IDLE_EN,
    running: (s, k) => `Running… ${s} s` + (k ? ` (${k} worker${k === 1 ? '' : 's'} busy)` : ''),
    finished: (s) => `Done in ${s} s. The numbers below are this run's.`,
    cancelled: (s) => `Cancelled after ${s} s. Finished cells are kept.`,
    failed: 'Finished with errors (see the rows).',
    queued: 'waiting for a free core',
    starting: 'loading…',
    training: (d, n, loss) => `step ${d} / ${n} · loss ${loss}`,
    evaluating: (k, n) => `evaluating: ${k} of ${n} lengths`,
    finetuning: (d, n, loss) => `PI fine-tune at 4L: ${d} / ${n} · loss ${loss}`,
    done: (s, tps, loss) => `${s} s · ${tps} tokens/s · final loss ${loss}`,
    stopped: 'cancelled',
    lossTitle: 'Training loss', lossCap: 'Cross-entropy (nats per token) of each model while it trains, averaged over 20 steps.',
    lossEmpty: 'The loss of each model appears here as it trains.',
    step: 'training step', loss: 'loss',
    pplTitle: 'Perplexity by evaluation length',
    pplCap: (src) => `Per-token perplexity on ${src}, log scales; the dashed line marks the training length L = 64. ` +
      'Blue dashes: the RoPE model stretched at evaluation (long dashes PI, dash-dot NTK-aware, short pairs YaRN; dotted: PI after a fine-tune).',
    reference: 'the reference run (native)', refMark: ' · reference',
    refNote: 'Until you press Start, the faint curves and grey numbers are the reference run: the project\'s native command at the ' +
      'default settings (node scripts/reference-run.mjs writes it):',
    refTableCap: 'The reference run\'s perplexity by evaluation length (native seconds).',
    refMissing: 'The reference run did not load.',
    scalingFinding: (r, at) => `The reference run, no fine-tuning: NTK-aware ${r.ntkBeatsPi ? 'beats' : 'does not beat'} PI at every longer length` +
      `${r.ntkOnly ? `, and at ${at} it is the only stretch better than plain RoPE` : ''}${r.ropeBest ? '; at 2× to 8× plain RoPE (not yet broken) beats all three' : ''}.`,
    pplEmpty: 'Perplexity at 64 … 1024 tokens appears here after training.',
    evalText: 'the evaluation stream', yourText: 'your text\'s last 10%',
    evalLength: 'evaluation length (tokens)', perplexity: 'perplexity', trainedAt: 'trained at 64',
    tableCap: 'Perplexity of this run by evaluation length (lower is better); the models were trained at 64 tokens.',
    unchecked: 'see Table 2',
    paperNote: 'ALiBi at 512 and 1012 are in the paper\'s Figure 1 and appendix Table 2 (arXiv 2108.12409); not checked here, so not copied.',
    tableEmpty: 'The table of this run\'s perplexities appears here; the paper\'s and the study\'s numbers are beside it.',
    method: 'method', trainS: 'train s',
    pending: '…', cannot: 'cannot read past its table (64 rows)', short: 'text too short',
    compare: 'For comparison',
    paper: 'Press, Smith and Lewis (2022), Train Short, Test Long (ICLR 2022): WikiText-103, trained at 512 tokens, perplexity at',
    paperNames: ['sinusoidal', 'rotary (RoPE)', 'ALiBi'],
    study: 'The project\'s PyTorch study of this toy setting (2000 steps, 2 seeds agree), perplexity at',
    studyNames: ['sinusoidal', 'RoPE', 'RoPE + PI, no fine-tune', 'ALiBi', 'T5 bias', 'NoPE', 'learned'], cannotShort: 'cannot',
    compareNote: 'Different data and sizes: compare the shapes of the curves, not the values.',
    workerFailed: 'the worker could not start',
    modeWorkers: (k) => `${k} Web Worker${k === 1 ? '' : 's'} at a time`, modeInline: 'main thread, time slices',
  },
  ja: {
    title: '短く学習し、長く試す：ブラウザの中でのライブ再現',
    caption: [
      '選んだ手法ごとに、小さな言語モデル（d_model 32、2 層、4 ヘッド、MLP 128：このプロジェクトの小規模実験の設定）を、架空の言語の ' +
      'L = 64 文字の窓で、この端末の上で学習します。手法ごとに別の Web Worker で動きます。学習後、各モデルは見ていない文章を 64、128、256、' +
      '512、1024 トークンの重ならない窓で読み、図は長さごとのパープレキシティ（低いほど良い）を示します。開始後の数値はすべてあなたの実行の結果です。',
      '見どころ（プロジェクトの実験の形）：正弦波は窓が L を超えると上がります。RoPE は 4L ほどまで持ちこたえ、その先で急に上がります。ALiBi と T5（バケットは 64 まで）は' +
      '横ばい。NoPE は高めから始まりゆっくり上がります。学習した位置の表は 64 行より先を読めません。ファインチューニングなしの PI を使った RoPE は長いどの長さでも' +
      'そのままの RoPE より悪く、4L で短くファインチューニングすると横ばいになります。',
      '曲線が平らなのは、長くしても悪くならないという意味で、モデルが遠くを使っているという意味ではありません。重ならない窓では、遠くのトークンを' +
      '使えるモデルなら、窓が長いほど（前の文脈が長いトークンが増えるので）パープレキシティが下がるはずです。ALiBi のペナルティは遠くのトークンを' +
      'ほとんど見えなくします（ALiBi のウィジェットを参照）。安定していることと、長い文脈を使えていることは別です。',
    ],
    methods: '手法（それぞれ別のモデルを学習）',
    sinusoidal: '正弦波', rope: 'RoPE', alibi: 'ALiBi', t5: 'T5 バイアス', kerple: 'KERPLE（log）', nope: 'NoPE（位置なし）',
    learned: '学習した位置の表', sin2l: '正弦波、2L = 128、バッチ 4：同じトークン数（同じ計算量）',
    piGroup: '長い入力に引き伸ばした RoPE（RoPE の実行から。倍率 = 長さ / 64）',
    pi: '評価時だけ PI（位置補間、Chen ほか 2023）', ntk: '評価時だけ NTK-aware スケーリング',
    yarn: '評価時だけ YaRN（Peng ほか 2023）', pift: (n) => `4L で ${n} ステップファインチューニングしてから PI ×4`,
    piNote: 'PI は位置を 長さ / 64 で割ります（論文ではその後に短くファインチューニング）。NTK-aware は代わりに基数を大きくし、YaRN は周波数帯ごとに倍率を変えます。3 つとも学習はしません。',
    piftInline: ' ファインチューニングにはフルページ（Web Worker）が必要です。ファインチューニングの 1 ステップはタイムスライスより長くかかります。',
    names: { sin2l: '正弦波（2L）', pi: 'RoPE + 評価時 PI', ntk: 'RoPE + 評価時 NTK-aware', yarn: 'RoPE + 評価時 YaRN',
      pift: (n) => `RoPE + PI、${n} ステップファインチューニング` },
    size: '規模', presets: { quick: 'お試し（200 ステップ）', default: '標準（400 ステップ）', study: 'プロジェクトの実験と同じ（2000 ステップ）',
      longer: '長め（3000 ステップ）', custom: 'カスタム' },
    steps: 'モデルごとの学習ステップ数', scored: '長さごとに採点するトークン数', seed: 'シード（コーパス、重み、バッチ）',
    start: '開始', cancel: '中止',
    data: '文章', corpus: '生成したコーパス：節をまたぐ一致、入れ子の括弧、繰り返し出てくる名前をもつ架空の言語（pe.corpus）。',
    choose: '自分のテキストファイルを使う…', useCorpus: '生成したコーパスを使う',
    drop: 'またはここにテキストファイルをドロップしてください。ファイルはこの端末の中で読むだけで、アップロードしません。この表示へのリンクにも含まれません。' +
      '1 バイトが 1 トークンです。63 記号のアルファベット（英字、空白、改行、" ( ) , . : ; [ ]）にないバイトは「?」になるので、数字やかな漢字もそうなります。' +
      '先頭の 90% で学習し、最後の 10% で評価します。',
    fileInfo: (name, n, tr, ev, q) => `あなたの文章：${name}、${n.toLocaleString('ja')} バイト（1 バイト 1 トークン）。学習 ${tr.toLocaleString('ja')}、評価 ${ev.toLocaleString('ja')}` +
      `${q ? `。アルファベットにないバイト ${q.toLocaleString('ja')} 個は「?」として読みます` : ''}。`,
    tooBig: (mb) => `${mb} MB より大きいファイルです。小さいファイルを使ってください。`,
    plan: (n, steps, k, inline) => `${n} モデル × ${steps} ステップ（1 ステップ 8 × 64 トークン）` +
      (inline ? '。このページのメインスレッドで、短いタイムスライスに分けて 1 つずつ学習します。' : `。最大 ${k} 個を同時に、それぞれ別の Web Worker で学習します。`),
    planNone: '手法を 1 つ以上選んでください。',
    inlineNote: 'この埋め込み版はサイトの Worker を起動できないので、ページのメインスレッドで約 20 ms ずつ区切って、モデルを 1 つずつ学習します（ページは操作できます。コアごとに Worker を使うフルページのほうが速い）：',
    fullPage: '開く',
    idle: IDLE_JA,
    running: (s, k) => `実行中… ${s} 秒` + (k ? `（Worker ${k} 個が稼働中）` : ''),
    finished: (s) => `${s} 秒で完了。下の数値はこの実行の結果です。`,
    cancelled: (s) => `${s} 秒で中止しました。終わったセルは残しています。`,
    failed: 'エラーがありました（各行を参照）。',
    queued: '空いているコアを待っています',
    starting: '読み込み中…',
    training: (d, n, loss) => `ステップ ${d} / ${n} · 損失 ${loss}`,
    evaluating: (k, n) => `評価中：${n} 個の長さのうち ${k} 個`,
    finetuning: (d, n, loss) => `4L での PI ファインチューニング：${d} / ${n} · 損失 ${loss}`,
    done: (s, tps, loss) => `${s} 秒 · 毎秒 ${tps} トークン · 最終損失 ${loss}`,
    stopped: '中止',
    lossTitle: '学習の損失', lossCap: '学習中の各モデルの交差エントロピー（トークンあたりのナット）。20 ステップごとの平均。',
    lossEmpty: '学習が進むと、各モデルの損失がここに表示されます。',
    step: '学習ステップ', loss: '損失',
    pplTitle: '評価長ごとのパープレキシティ',
    pplCap: (src) => `${src}でのトークンあたりのパープレキシティ。両軸とも対数目盛。破線は学習長 L = 64。` +
      '青の破線：評価時に引き伸ばした RoPE のモデル（長い破線 PI、一点鎖線 NTK-aware、短い 2 本ずつ YaRN。点線はファインチューニング後の PI）。',
    reference: '参照実行（ネイティブ）', refMark: '・参照',
    refNote: '「開始」を押すまで、薄い曲線と灰色の数値は参照実行です。既定の設定でのプロジェクトのネイティブのコマンド（node scripts/reference-run.mjs が書き出す）：',
    refTableCap: '参照実行の評価長ごとのパープレキシティ（秒数はネイティブ）。',
    refMissing: '参照実行を読み込めませんでした。',
    scalingFinding: (r, at) => `参照実行（ファインチューニングなし）：学習長より長いどの長さでも NTK-aware は PI ${r.ntkBeatsPi ? 'より良い' : 'より良いとは限らない'}` +
      `${r.ntkOnly ? `。${at} でそのままの RoPE より良いのは NTK-aware だけ` : ''}${r.ropeBest ? '。2×〜8× では、まだ壊れていないそのままの RoPE が 3 つのどれよりも良い' : ''}。`,
    pplEmpty: '学習のあと、64 … 1024 トークンでのパープレキシティがここに表示されます。',
    evalText: '評価用のストリーム', yourText: 'あなたの文章の最後の 10%',
    evalLength: '評価長（トークン）', perplexity: 'パープレキシティ', trainedAt: '学習長 64',
    tableCap: 'この実行の評価長ごとのパープレキシティ（低いほど良い）。モデルは 64 トークンで学習。',
    unchecked: '表 2 を参照',
    paperNote: '512 と 1012 での ALiBi は論文の図 1 と付録の表 2 にあります（arXiv 2108.12409）。照合できなかったので写していません。',
    tableEmpty: 'この実行のパープレキシティの表がここに表示されます。論文と実験の数値は横にあります。',
    method: '手法', trainS: '学習 秒',
    pending: '…', cannot: '表の先は読めない（64 行）', short: '文章が短すぎます',
    compare: '比較のために',
    paper: 'Press、Smith、Lewis（2022）Train Short, Test Long（ICLR 2022）：WikiText-103、512 トークンで学習。パープレキシティ：',
    paperNames: ['正弦波', '回転（RoPE）', 'ALiBi'],
    study: 'このプロジェクトが PyTorch で行った同じ小規模設定の実験（2000 ステップ、2 つのシードで一致）。パープレキシティ：',
    studyNames: ['正弦波', 'RoPE', 'RoPE + PI、ファインチューニングなし', 'ALiBi', 'T5 バイアス', 'NoPE', '学習した表'], cannotShort: '読めない',
    compareNote: 'データも規模も違います。値ではなく曲線の形を比べてください。',
    workerFailed: 'Worker を起動できませんでした',
    modeWorkers: (k) => `Web Worker ${k} 個を同時に使用`, modeInline: 'メインスレッド、タイムスライス',
  },
};

// Results and the reader's text survive a remount in the same place (a language switch).
const memory = new WeakMap();
let referencePromise = null;

const ppl = (v) => (v < 100 ? v.toFixed(2) : v.toFixed(1));
const presetOf = (s) => Object.keys(PRESETS).find((k) => PRESETS[k].steps === s.steps && PRESETS[k].scored === s.scored) ?? 'custom';

/** The reference run (data/reference-run.json) in the shape of a reader's run: rows, cells, loss curves. */
function referenceView(data) {
  const cells = Object.fromEntries(data.rows.map((r) => [r.key, new Map(data.lengths.map((L, i) => [L,
    r.perplexity[i] === null ? { note: 'cannot' } : { perplexity: r.perplexity[i] }]))]));
  return {
    reference: true, data, steps: data.steps, cells, rows: ROWS.filter((k) => cells[k]),
    jobs: data.rows.filter((r) => r.loss.length).map((r) => ({ method: r.key, seconds: data.trainSeconds[r.key],
      curve: r.loss.map((l, i) => [(i + 1) * data.lossEvery, l]) })),
  };
}

/** What the reference run says about the RoPE stretches at the longest length (for the caption). */
function scalingFacts(ref) {
  const at = LENGTHS.length - 1;
  const v = (k, i = at) => ref.cells[k]?.get(LENGTHS[i])?.perplexity;
  if (!['rope', 'pi', 'ntk', 'yarn'].every((k) => Number.isFinite(v(k)))) return null;
  const longer = LENGTHS.map((_, i) => i).filter((i) => i > 0);
  return {
    at: LENGTHS[at],
    ntkBeatsPi: longer.every((i) => v('ntk', i) < v('pi', i)),
    ntkOnly: v('ntk') < v('rope') && v('pi') >= v('rope') && v('yarn') >= v('rope'),
    ropeBest: longer.slice(0, -1).every((i) => ['pi', 'ntk', 'yarn'].every((k) => v('rope', i) < v(k, i))),
  };
}
const cssColour = (el, name) => getComputedStyle(el).getPropertyValue(`--${name}`).trim() || '#888888';

const legendHeight = (n) => (n ? n * 17 + 10 : 0);

/** Ticks of a log axis over [lo, hi]: 1, 2, 5 x 10^k, or evenly spaced ones when the range is narrow. */
function logAxisTicks(lo, hi) {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out.length >= 3 ? out : niceTicks(lo, hi, 4).filter((v) => v > 0);
}

export function createExtrapolation(container, options) {
  const inline = options.workers === false || typeof Worker !== 'function';
  const fullPage = options.workers === false ? siteUrl('index.html#sec-extrapolation').href : null;
  return mountWidget(container, options, {
    id: 'extrapolation', schema, text: TEXT, embedHeight: 2300,
    setup(w) {
      const { t, pe, root } = w;
      const kept = memory.get(container) ?? {};
      memory.set(container, kept);
      const width = inline ? 1 : Math.max(1, Math.min(METHODS.length, navigator.hardwareConcurrency || 2));

      // Settings.
      const picks = Object.fromEntries(METHODS.map((m) => [m.key, checkboxField({ label: t[m.key], onChange: w.set(m.key) })]));
      const controls = {
        ...picks,
        pi: checkboxField({ label: t.pi, onChange: w.set('pi') }),
        ntk: checkboxField({ label: t.ntk, onChange: w.set('ntk') }),
        yarn: checkboxField({ label: t.yarn, onChange: w.set('yarn') }),
        pift: checkboxField({ label: t.pift(200), onChange: w.set('pift') }),
        steps: numberField({ label: t.steps, spec: schema.steps, onChange: w.set('steps') }),
        scored: numberField({ label: t.scored, spec: schema.scored, onChange: w.set('scored') }),
        seed: numberField({ label: t.seed, spec: schema.seed, onChange: w.set('seed') }),
      };
      const size = selectField({ label: t.size, choices: Object.entries(t.presets).map(([value, text]) => ({ value, label: text })),
        onChange: (v) => { if (PRESETS[v]) w.change({ ...PRESETS[v] }); } });
      const group = (legend, ...children) => h('fieldset', { class: 'control control-wide lm-picks' }, h('legend', {}, legend), ...children);
      w.controls.append(group(t.methods, METHODS.map((m) => picks[m.key].element)),
        group(t.piGroup, controls.pi.element, controls.ntk.element, controls.yarn.element, controls.pift.element,
          h('small', { class: 'control-hint lm-pi-note' }, t.piNote, inline ? t.piftInline : '')),
        size.element, controls.steps.element, controls.scored.element, controls.seed.element);
      const inputs = () => w.controls.querySelectorAll('input, select');

      // The text: the generated corpus or the reader's file.
      const fileInput = h('input', { type: 'file', accept: '.txt,.md,.csv,.json,.html,.xml,text/*', hidden: true, 'aria-label': t.choose });
      const chooseButton = button(t.choose, () => fileInput.click());
      const corpusButton = button(t.useCorpus, () => { kept.text = null; showText(); });
      const textInfo = h('p', { class: 'lm-text-info' });
      const drop = h('div', { class: 'lm-drop', dataset: { drop: 'text' } },
        h('p', { class: 'lm-drop-title' }, t.data), textInfo,
        h('div', { class: 'toolbar' }, chooseButton, corpusButton, fileInput),
        h('p', { class: 'note' }, t.drop));
      // The run.
      const startButton = button(t.start, () => start(), { class: 'button primary' });
      const cancelButton = button(t.cancel, () => cancel(), { disabled: true });
      const plan = h('p', { class: 'note lm-plan' });
      const runLine = h('p', { class: 'big-number lm-run', 'aria-live': 'polite' });
      const modeNote = inline ? h('p', { class: 'note lm-mode' }, t.inlineNote, ' ', fullPage ? h('a', { href: fullPage, target: '_blank', rel: 'noopener' }, t.fullPage) : null) : null;
      const progress = h('ul', { class: 'lm-progress' });
      w.body.append(...[drop, modeNote].filter(Boolean), h('div', { class: 'toolbar' }, startButton, cancelButton), plan, runLine, progress);

      let run = kept.run ?? null;
      let ref = null;
      let runner = null;
      let frame = 0;
      let timer = 0;
      let lastView = 0;
      let pplCaption = '';

      const lossFig = w.figure({ name: 'loss', label: t.lossTitle, caption: t.lossCap, height: (wd) => Math.min(300, Math.max(200, wd * 0.38)),
        csv: () => run && { header: ['method', 'step', 'loss'], rows: run.jobs.flatMap((j) => j.curve.map(([s, l]) => [j.method, s, l])) } });
      const pplFig = w.figure({ name: 'perplexity', label: t.pplTitle,
        height: (wd) => Math.min(420, Math.max(260, wd * 0.62)) + (wd < WIDE ? legendHeight((run ?? ref)?.rows.length ?? 0) : 0),
        csv: () => run && { header: ['method', 'eval_length', 'perplexity', 'scored_tokens', 'note', 'steps', 'seed', 'text'],
          rows: run.rows.flatMap((r) => LENGTHS.map((L) => {
            const c = run.cells[r].get(L);
            return [r, L, c?.perplexity ?? '', c?.scored ?? '', c?.note ?? (c ? '' : 'not run'), run.steps, run.seed, run.source];
          })) } });
      const compare = h('aside', { class: 'lm-compare', 'aria-label': t.compare },
        h('h3', {}, t.compare),
        h('p', {}, t.paper), smallTable([t.method, '512', '1012', '15512'], comparisonRows(t.paperNames, PAPER, t)),
        h('p', { class: 'note lm-paper-note' }, t.paperNote),
        h('p', {}, t.study), smallTable([t.method, '64', '256', '1024'], comparisonRows(t.studyNames, STUDY, t)),
        h('p', { class: 'note' }, t.compareNote));
      const table = h('div', { class: 'lm-table-wrap' });
      const refNote = h('div', { class: 'lm-reference-note', hidden: true });
      const finding = h('p', { class: 'note lm-finding', hidden: true });
      const contextBox = h('section', { class: 'lm-context' });
      w.body.append(h('div', { class: 'lm-results-row' }, table, compare), refNote, finding, contextBox);

      // The reference run: loaded once per page, after the widget has drawn, and drawn until the
      // reader's first run.
      root.dataset.reference = 'loading';
      setTimeout(() => (referencePromise ??= loadReference()).then((data) => {
        ref = referenceView(data);
        root.dataset.reference = 'ready';
        refNote.replaceChildren(h('p', { class: 'note' }, t.refNote),
          h('p', { class: 'note' }, h('code', {}, data.command)));
        const facts = scalingFacts(ref);
        if (facts) {
          finding.textContent = t.scalingFinding(facts, facts.at);
        }
        view();
      }, () => {
        root.dataset.reference = 'error';
        refNote.replaceChildren(h('p', { class: 'note' }, t.refMissing));
        view();
      }), 0);

      function smallTable(head, rows) {
        return h('table', { class: 'numbers lm-small' },
          h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
          h('tbody', {}, rows.map(([name, ...v]) => h('tr', {}, h('th', { scope: 'row' }, name), v.map((x) => h('td', {}, x || '–'))))));
      }

      /** Short name of a row (progress, legend, table). */
      function label(key) {
        return key === 'pift' ? t.names.pift(run ? run.ft : 200) : t.names[key] ?? t[key];
      }
      function swatch(key) {
        return h('span', { class: `lm-swatch${LOOK[key].dash ? ' dashed' : ''}`, dataset: { colour: LOOK[key].colour }, 'aria-hidden': 'true' });
      }

      function showText() {
        const x = kept.text;
        textInfo.textContent = x ? t.fileInfo(x.name, x.ids.length, x.train.length, x.eval.length, x.unknown) : t.corpus;
        corpusButton.hidden = !x;
        root.dataset.text = x ? 'file' : 'corpus';
      }
      async function useFile(file) {
        if (!file || runner) return;
        if (file.size > MAX_FILE_BYTES) {
          w.error(t.tooBig(MAX_FILE_BYTES / 2 ** 20));
          return;
        }
        try {
          const ids = pe.corpus.encode(new Uint8Array(await file.arrayBuffer()));
          let unknown = 0;
          for (const id of ids) if (id === 63) unknown += 1;
          kept.text = { name: file.name, ids, unknown, ...splitText(ids) };
          w.error(null);
        } catch (e) {
          w.error(e instanceof Error ? e.message : String(e));
        }
        showText();
      }
      fileInput.addEventListener('change', () => { useFile(fileInput.files[0]); fileInput.value = ''; });
      drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
      drop.addEventListener('dragleave', () => drop.classList.remove('over'));
      drop.addEventListener('drop', (e) => {
        e.preventDefault();
        drop.classList.remove('over');
        useFile(e.dataTransfer?.files[0]);
      });

      // A run: its settings, one job per method, the cells of every row.
      function start() {
        if (runner) return;
        const s = w.state();
        const methods = METHODS.filter((m) => s[m.key]);
        if (!methods.length) return;
        const scalings = Object.keys(SCALINGS).filter((k) => s.rope && s[k]);
        const pift = s.rope && s.pift && !inline;
        const rows = ROWS.filter((r) => (r in SCALINGS ? scalings.includes(r) : r === 'pift' ? pift : s[r]));
        run = {
          steps: s.steps, seed: s.seed, scored: s.scored, ft: finetuneSteps(s.steps), rows, status: 'running',
          source: kept.text ? 'file' : 'corpus', t0: performance.now(), ms: 0,
          cells: Object.fromEntries(rows.map((r) => [r, new Map()])),
          // The RoPE run (with its extra rows) first: the longest job starts first.
          jobs: methods.sort((a, b) => (b.key === 'rope') - (a.key === 'rope')).map((m) => ({
            method: m.key, position: m.position, context: m.context, batch: m.batch, status: 'queued', done: 0, total: s.steps, loss: NaN, curve: [],
          })),
        };
        kept.run = null;
        contextBox.replaceChildren();
        const jobs = run.jobs.map((j) => ({ method: j.method, position: j.position, context: j.context, batch: j.batch, steps: s.steps, seed: s.seed, scored: s.scored, scalings, pift }));
        const text = kept.text ? { train: kept.text.train, eval: kept.text.eval } : null;
        const byMethod = new Map(run.jobs.map((j) => [j.method, j]));
        const report = (job, m) => onReport(byMethod.get(job.method), m);
        // The runners (and pe.lm's training loop) are fetched at the first Start, not with the widget.
        const pending = { cancel() { pending.off = true; } };
        runner = pending;
        import('./extrapolation-runner.js').then((m) => {
          if (pending.off || runner !== pending) return;
          run.note = m.threadsNote;
          runner = inline ? m.runInline(pe, jobs, text, report, settled) : m.runWorkers(jobs, text, width, report, settled, workers, t.workerFailed);
        }, (e) => {
          if (runner !== pending) return;
          for (const j of run.jobs) onReport(j, { type: 'error', message: String(e) });
          settled();
        });
        root.dataset.run = 'running';
        timer = setInterval(schedule, 500);
        buildProgress();
        view();
      }
      function workers(n) {
        root.dataset.workers = String(n);
        if (run) {
          run.busy = n;
          run.peak = Math.max(run.peak ?? 0, n);
        }
      }
      /** End the run (kept for a remount in the same place, e.g. after a language switch). */
      function stop(status, draw = true) {
        runner = null;
        clearInterval(timer);
        run.status = status;
        run.ms = performance.now() - run.t0;
        for (const j of run.jobs) if (j.status !== 'done' && j.status !== 'error') j.status = 'cancelled';
        root.dataset.run = status;
        root.dataset.runMs = String(Math.round(run.ms));
        kept.run = run;
        if (draw) {
          view();
          showContext();
        }
      }
      /** Claim 13's tables, once a run measured them: their code is fetched only then. */
      function showContext() {
        if (run?.jobs.some((j) => j.profile || j.stepBytes)) import('./extrapolation-context.js').then((m) => m.renderContext(contextBox, run, w.lang, label, LENGTHS, (k) => cssColour(contextBox, LOOK[k].colour)));
      }
      function settled() {
        stop(run.jobs.some((j) => j.status === 'error') ? 'error' : 'done');
      }
      function cancel() {
        if (!runner) return;
        runner.cancel();
        stop('cancelled');
      }
      function onReport(job, m) {
        switch (m.type) {
          case 'launch': job.status = 'starting'; break;
          case 'start': job.status = 'train'; break;
          case 'progress':
            if (m.phase === 'train') {
              job.done = m.done;
              job.loss = m.loss;
              job.curve.push([m.done, m.loss]);
            } else {
              job.status = 'finetune';
              job.ft = [m.done, m.total, m.loss];
            }
            break;
          case 'trained':
            Object.assign(job, { status: 'eval', seconds: m.seconds, tps: m.tokensPerSecond, loss: m.loss, stepBytes: m.stepBytes });
            break;
          case 'cell':
            run.cells[m.row]?.set(m.length, m);
            job.status = 'eval';
            run.version = (run.version ?? 0) + 1;
            break;
          case 'context': (job.cuts ??= []).push(m); break;
          case 'profile': job.profile = m; break;
          case 'done': job.status = 'done'; break;
          case 'error': job.status = 'error'; job.error = m.message; break;
          default: break;
        }
        schedule();
      }

      // The view of the run, redrawn in an animation frame, at most every VIEW_MS while it runs.
      function schedule() {
        if (frame) return;
        frame = requestAnimationFrame(() => {
          frame = 0;
          if (runner && performance.now() - lastView < VIEW_MS) schedule();
          else view();
        });
      }
      function buildProgress() {
        progress.replaceChildren(...run.jobs.map((j) => h('li', { class: 'lm-job', dataset: { job: j.method } },
          h('span', { class: 'lm-name' }, swatch(j.method), label(j.method)),
          h('progress', { max: '1', value: '0', 'aria-label': label(j.method) }),
          h('span', { class: 'lm-job-text' }))));
      }
      function jobText(j) {
        const loss = Number.isFinite(j.loss) ? j.loss.toFixed(3) : '–';
        switch (j.status) {
          case 'queued': return [0, t.queued];
          case 'starting': return [0, t.starting];
          case 'train': return [j.done / j.total, t.training(j.done, j.total, loss)];
          case 'finetune': return [j.ft[0] / j.ft[1], t.finetuning(j.ft[0], j.ft[1], j.ft[2].toFixed(3))];
          case 'eval': {
            const rows = run.rows.filter((r) => r === j.method || (j.method === 'rope' && (r in SCALINGS || r === 'pift')));
            const n = rows.length * LENGTHS.length;
            const k = rows.reduce((a, r) => a + run.cells[r].size, 0);
            return [k / n, t.evaluating(k, n)];
          }
          case 'done': return [1, t.done(j.seconds.toFixed(1), Math.round(j.tps).toLocaleString(w.lang), loss)];
          case 'error': return [0, j.error];
          default: return [j.done / j.total, t.stopped];
        }
      }
      function view() {
        const t0 = performance.now();
        lastView = t0;
        // Canvases first (layout is clean at the start of a frame), then the text of the rows.
        root.dataset.shown = run ? 'run' : ref ? 'reference' : 'none';
        refNote.hidden = Boolean(run) || !refNote.firstChild;
        finding.hidden = Boolean(run) || !finding.textContent;
        paintLoss();
        if (!run || run.version !== run.drawn || !runner) {
          if (run) run.drawn = run.version;
          paintPerplexity();
          fillTable();
        }
        if (!run) {
          runLine.textContent = t.idle;
          progress.replaceChildren();
        } else {
          const secs = ((run.status === 'running' ? performance.now() - run.t0 : run.ms) / 1000).toFixed(1);
          runLine.textContent = run.status === 'running' ? t.running(secs, inline ? 0 : run.busy)
            : (run.status === 'done' ? t.finished(secs) : run.status === 'cancelled' ? t.cancelled(secs) : t.failed)
              + (run.note?.(w.lang, inline ? 0 : run.peak, run.jobs.length) ?? '');
          if (progress.children.length !== run.jobs.length) buildProgress();
          for (const j of run.jobs) {
            const li = progress.querySelector(`[data-job="${j.method}"]`);
            const [value, text] = jobText(j);
            li.dataset.status = j.status;
            li.querySelector('progress').value = value;
            li.querySelector('.lm-job-text').textContent = text;
          }
        }
        const running = Boolean(runner);
        startButton.disabled = running || !METHODS.some((m) => w.state()?.[m.key] ?? true);
        cancelButton.disabled = !running;
        for (const el of inputs()) el.disabled = running || el.dataset.off === '1';
        chooseButton.disabled = running;
        corpusButton.disabled = running;
        performance.measure('posenc:lm-view', { start: t0 });
      }

      function emptyMessage(ctx, rect, text, colours) {
        ctx.fillStyle = colours.muted;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(text, rect.x + rect.w / 2, rect.y + rect.h / 2, rect.w - 16);
      }
      function paintLoss() {
        lossFig.paint((ctx, { width, height, colours }) => {
          const rect = inset(width, height, { left: 48, top: 12, right: 14, bottom: 40 });
          const shown = run ?? ref;
          const jobs = shown?.jobs.filter((j) => j.curve.length) ?? [];
          let lo = Infinity;
          let hi = -Infinity;
          for (const j of jobs) for (const [, l] of j.curve) { lo = Math.min(lo, l); hi = Math.max(hi, l); }
          if (!jobs.length) { lo = 1; hi = 4.5; }
          const map = axes(ctx, rect, { lo: 0, hi: shown?.steps ?? PRESETS.default.steps, label: t.step },
            { lo: Math.max(0, Math.floor(lo * 2) / 2 - 0.25), hi: Math.ceil(hi * 2) / 2, label: t.loss }, colours);
          if (!jobs.length) {
            emptyMessage(ctx, rect, t.lossEmpty, colours);
            return;
          }
          ctx.globalAlpha = shown.reference ? REFERENCE_ALPHA : 1;
          for (const j of jobs) {
            series(ctx, map, { xs: j.curve.map((p) => p[0]), ys: j.curve.map((p) => p[1]), colour: cssColour(lossFig.element, LOOK[j.method].colour), width: 1.75, readout: true, label: label(j.method) }, rect);
          }
          ctx.globalAlpha = 1;
          const mark = shown.reference ? t.refMark : '';
          legend(ctx, rect, jobs.map((j) => ({ label: label(j.method) + mark, colour: cssColour(lossFig.element, LOOK[j.method].colour) })), colours);
        });
      }
      function paintPerplexity() {
        pplFig.paint((ctx, { width, height, colours }) => {
          // The legend sits beside the plot (below 520 px: above it), never over the curves.
          const shown = run ?? ref;
          const side = width >= WIDE;
          const mark = shown?.reference && side ? t.refMark : '';  // narrow: the caption says it
          const rows = shown?.rows.filter((r) => shown.cells[r].size) ?? [];
          ctx.font = FONT;
          const legendW = rows.length ? Math.max(...rows.map((r) => ctx.measureText(label(r) + mark).width)) + 34 : 0;
          const rect = inset(width, height, { left: 52, right: side && rows.length ? legendW + 16 : 14,
            top: side ? 12 : legendHeight(rows.length) + 12, bottom: 40 });
          const values = rows.flatMap((r) => [...shown.cells[r].values()].map((c) => c.perplexity).filter(Number.isFinite));
          const lo = values.length ? Math.min(...values) / 1.2 : 2;
          const hi = Math.max(values.length ? Math.max(...values) * 1.2 : 50, lo * 1.5);
          const map = axes(ctx, rect, { lo: CONTEXT / 1.2, hi: LENGTHS.at(-1) * 1.2, log: true, label: t.evalLength, ticks: LENGTHS },
            { lo, hi, log: true, label: t.perplexity, ticks: logAxisTicks(lo, hi) }, colours);
          const x = Math.round(map.px(CONTEXT)) + 0.5;
          ctx.save();
          ctx.strokeStyle = colours.muted;
          ctx.setLineDash([4, 4]);
          ctx.beginPath();
          ctx.moveTo(x, rect.y);
          ctx.lineTo(x, rect.y + rect.h);
          ctx.stroke();
          ctx.restore();
          ctx.fillStyle = colours.muted;
          ctx.textAlign = 'left';
          ctx.textBaseline = 'bottom';
          ctx.fillText(t.trainedAt, x + 4, rect.y + rect.h - 4);
          if (!values.length) {
            emptyMessage(ctx, rect, t.pplEmpty, colours);
            return;
          }
          ctx.globalAlpha = shown.reference ? REFERENCE_ALPHA : 1;
          const entries = rows.map((r) => {
            const colour = cssColour(pplFig.element, LOOK[r].colour);
            const ys = LENGTHS.map((L) => shown.cells[r].get(L)?.perplexity ?? NaN);
            series(ctx, map, { xs: LENGTHS, ys, colour, dash: LOOK[r].dash, points: true, radius: 3, readout: true, label: label(r) }, rect);
            return { label: label(r) + mark, colour, dash: LOOK[r].dash };
          });
          ctx.globalAlpha = 1;
          legend(ctx, side ? { x: rect.x + rect.w + 4, y: rect.y - 6, w: legendW, h: 0 } : { x: rect.x - 6, y: 0, w: legendW, h: 0 },
            entries, colours, 'left');
        });
        const caption = t.pplCap(run?.source === 'file' ? t.yourText : run ? t.evalText : `${t.evalText} (${t.reference})`);
        if (caption !== pplCaption) pplFig.setCaption((pplCaption = caption));
      }
      function fillTable() {
        const shown = run ?? ref;
        if (!shown) {
          table.replaceChildren(h('p', { class: 'note' }, t.tableEmpty));
          return;
        }
        const body = shown.rows.map((r) => {
          const cells = [];
          for (let i = 0; i < LENGTHS.length; i++) {
            const c = shown.cells[r].get(LENGTHS[i]);
            if (c?.note === 'cannot') {
              let span = 1;
              while (shown.cells[r].get(LENGTHS[i + span])?.note === 'cannot') span += 1;
              cells.push(h('td', { class: 'lm-cannot', colspan: span, title: c.message }, t.cannot));
              i += span - 1;
            } else {
              cells.push(h('td', {}, c ? (c.note === 'short' ? t.short : ppl(c.perplexity)) : t.pending));
            }
          }
          const job = shown.jobs.find((j) => j.method === r);
          cells.push(h('td', { class: 'lm-secs' }, job?.seconds ? job.seconds.toFixed(1) : ''));
          return h('tr', { dataset: { row: r } }, h('th', { scope: 'row' }, swatch(r), label(r)), cells);
        });
        table.replaceChildren(h('table', { class: `numbers lm-results${shown.reference ? ' lm-reference' : ''}` },
          h('caption', {}, shown.reference ? t.refTableCap : t.tableCap),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.method),
            LENGTHS.map((L) => h('th', { scope: 'col' }, `${L} (${L / CONTEXT}×)`)), h('th', { scope: 'col', class: 'lm-secs' }, t.trainS))),
          h('tbody', {}, body)));
      }

      function render(s) {
        const n = METHODS.filter((m) => s[m.key]).length;
        plan.textContent = n ? t.plan(n, s.steps, Math.min(width, n), inline) : t.planNone;
        size.set(presetOf(s));
        const off = { pi: !s.rope, ntk: !s.rope, yarn: !s.rope, pift: !s.rope || inline };
        for (const [key, disabled] of Object.entries(off)) {
          const box = controls[key].element.querySelector('input');
          box.dataset.off = disabled ? '1' : '0';
          box.disabled = disabled || Boolean(runner);
        }
        startButton.disabled = Boolean(runner) || n === 0;
        cancelButton.disabled = !runner;
        w.status(`${pe.simd ? 'WebAssembly SIMD' : 'WebAssembly'} · ${inline ? t.modeInline : t.modeWorkers(width)}`);
      }

      root.dataset.run = run ? run.status : 'idle';
      root.dataset.workers = '0';
      showText();
      view();
      showContext();
      w.onDestroy(() => {
        if (runner) {
          runner.cancel();
          stop('cancelled', false);
        }
        if (frame) cancelAnimationFrame(frame);
      });
      return { controls, render, status: false };
    },
  });
}
