// SPDX-License-Identifier: MIT
// The two languages of the site. Each widget keeps its own strings ({ en, ja } objects); the words
// every widget shares are here.

export const LANGS = ['en', 'ja'];

/** The string of `lang` from { en, ja } (English when a translation is missing). */
export function tr(lang, strings) {
  return strings[lang] ?? strings.en;
}

export const COMMON = {
  en: {
    png: 'PNG', csv: 'CSV', embed: 'Embed', close: 'Close', copy: 'Copy', copied: 'Copied',
    embedTitle: 'Embed this widget', embedFallback: 'open it on the posenc site', loadingPosenc: 'Loading posenc…',
    embedIframe: 'As an iframe (the view as it is now; embed.js makes it as tall as its content):',
    embedElement: 'As a custom element: one script tag, which loads the widget\'s code and WebAssembly from the same folder; if your site\'s Content-Security-Policy allows only \'self\', copy that folder (dist/) to your site:',
    downloadPng: (what) => `Download ${what} as PNG`,
    downloadCsv: (what) => `Download the data of ${what} as CSV`,
    settings: 'Settings',
    illustrative: 'illustrative',
    error: 'The package reported an error:',
    loading: 'Computing…',
    missing: (name) => `This build of the package has no ${name} yet.`,
    computed: (ms) => `computed and drawn in ${ms} ms`,
  },
  ja: {
    png: 'PNG', csv: 'CSV', embed: '埋め込みコード', close: '閉じる', copy: 'コピー', copied: 'コピーしました',
    embedTitle: 'このウィジェットを埋め込む', embedFallback: 'posenc のサイトで開く', loadingPosenc: 'posenc を読み込み中…',
    embedIframe: 'iframe として（いまの表示のまま。embed.js が高さを中身に合わせます）：',
    embedElement: 'カスタム要素として：script タグ 1 つで、ウィジェットのコードと WebAssembly を同じフォルダーから読み込みます。Content-Security-Policy が \'self\' だけを許すサイトでは、そのフォルダー（dist/）を自分のサイトに置いてください：',
    downloadPng: (what) => `${what}を PNG で保存`,
    downloadCsv: (what) => `${what}のデータを CSV で保存`,
    settings: '設定',
    illustrative: '説明用',
    error: 'パッケージがエラーを返しました：',
    // A package error in the Japanese page: a sentence naming the parameter (the English message follows it).
    badParameter: (p) => (p ? `「${p}」の値が使えません。値を直してください。` : '計算できませんでした。設定を直してください。'),
    loading: '計算中…',
    missing: (name) => `このビルドのパッケージには ${name} がまだありません。`,
    computed: (ms) => `計算と描画 ${ms} ms`,
  },
};
