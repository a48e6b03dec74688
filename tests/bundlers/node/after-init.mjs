// SPDX-License-Identifier: MIT
// An app's own failure after posenc is loaded stays the app's: `throw` exits with the app's error
// alone; `reject` leaves an unhandled rejection to Node's --unhandled-rejections mode.
import { init } from 'posenc';

await init();
if (process.argv[2] === 'throw') setTimeout(() => { throw new Error('the app failed'); });
if (process.argv[2] === 'reject') Promise.reject(new Error('the app rejected'));
