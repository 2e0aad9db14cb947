/**
 * The browser page's script (bundled by browser.test.ts for `platform: 'browser'`): import the
 * public entry points (the root and the six formats), run the round trips and write the result
 * into the DOM as JSON.
 */
import * as rpm from '../../src/rpm/index.js';
import * as alpm from '../../src/alpm/index.js';
import * as xbps from '../../src/xbps/index.js';
import * as aptrpm from '../../src/aptrpm/index.js';
import * as repod from '../../src/repod/index.js';
import * as forge from '../../src/forge/index.js';
import * as root from '../../src/index.js';
import { exportNames, runRoundTrips } from './round-trips.js';

const api = { rpm, alpm, xbps, aptrpm, repod, forge };
let report: unknown;
try {
  report = {
    // What this runtime lacks: the codecs must not need any of it.
    globals: { process: typeof (globalThis as { process?: unknown }).process, Buffer: typeof (globalThis as { Buffer?: unknown }).Buffer, require: typeof (globalThis as { require?: unknown }).require },
    exports: exportNames(api),
    results: runRoundTrips(api),
    rootExports: Object.keys(root).sort(),
    rootResults: runRoundTrips({ rpm: root.rpm, alpm: root.alpm, xbps: root.xbps, aptrpm: root.aptrpm, repod: root.repod, forge: root.forge }),
  };
} catch (e) {
  report = { error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) };
}
const pre = document.createElement('pre');
pre.id = 'out';
pre.textContent = JSON.stringify(report);
document.body.append(pre);
document.title = 'done';
