// SPDX-License-Identifier: MIT
// Placeholder while issue 3 is in progress: this method adds no members yet.
export function bind() {
  return {};
}
