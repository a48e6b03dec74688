// SPDX-License-Identifier: MIT
// Placeholder while issue 3 is in progress.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface LearnedApi {}
