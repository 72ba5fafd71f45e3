// Loads speed-dashboard.html files in headless Chromium over the DevTools protocol and checks
// that each page loads with no console message, no exception, no CSP violation and no network
// request other than the page itself, has no script, and does not overflow a phone screen.
// Takes full-page screenshots at phone and wide widths, light and dark.
//
// Usage: node --experimental-websocket check-dashboard.mjs CHROMIUM OUT_DIR PAGE.html...
// (Node 22+ has WebSocket built in; Node 20 needs the flag.) No npm packages needed.

import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const CSP = "default-src 'none'; style-src 'unsafe-inline'";
const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844, mobile: true, scale: 2 },
  { name: 'wide', width: 1440, height: 900, mobile: false, scale: 1 },
];
const SCHEMES = ['light', 'dark'];
const MAX_SHOT_HEIGHT = 5000;

const [chromium, outDir, ...pages] = process.argv.slice(2);
if (!chromium || !outDir || pages.length === 0) {
  console.error('usage: check-dashboard.mjs CHROMIUM OUT_DIR PAGE.html...');
  process.exit(2);
}

// A local server, so the pages load over http with the strict CSP as a header too.
const served = [];
const server = createServer((req, res) => {
  served.push(req.url);
  const name = decodeURIComponent(new URL(req.url, 'http://x').pathname).slice(1);
  const file = pages.map((p) => resolve(p)).find((p) => urlName(p) === name);
  if (!file) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': CSP,
    'cache-control': 'no-store',
  });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}/`;

function urlName(path) {
  return `${basename(dirname(path))}/${basename(path)}`;
}

const profile = mkdtempSync(join(tmpdir(), 'dash-chromium-'));
const browser = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--mute-audio', '--hide-scrollbars',
  '--font-render-hinting=none', `--user-data-dir=${profile}`, '--remote-debugging-port=0',
  'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe'] });
let browserLog = '';
browser.stderr.on('data', (d) => { browserLog += d; });

async function devtoolsUrl() {
  const portFile = join(profile, 'DevToolsActivePort');
  for (let i = 0; i < 200; i++) {
    if (existsSync(portFile)) {
      const [port, path] = readFileSync(portFile, 'utf8').trim().split('\n');
      if (port && path) return `ws://127.0.0.1:${port}${path}`;
    }
    await sleep(100);
  }
  throw new Error(`Chromium did not start:\n${browserLog}`);
}

// Minimal CDP client with flattened sessions.
const ws = new WebSocket(await devtoolsUrl());
await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
let nextId = 1;
const waiting = new Map();
const listeners = new Set();
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id && waiting.has(msg.id)) {
    const { ok, fail } = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.error) fail(new Error(JSON.stringify(msg.error))); else ok(msg.result);
  } else if (msg.method) {
    for (const l of listeners) l(msg);
  }
};
function send(method, params = {}, sessionId) {
  const id = nextId++;
  ws.send(JSON.stringify({ id, method, params, sessionId }));
  return new Promise((ok, fail) => waiting.set(id, { ok, fail }));
}

let failures = 0;
const report = [];

async function check(page, vp, scheme) {
  const url = base + urlName(resolve(page));
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const problems = [];
  const requests = [];
  let loaded;
  const load = new Promise((ok) => { loaded = ok; });
  const onEvent = (msg) => {
    if (msg.sessionId !== sessionId) return;
    const p = msg.params;
    switch (msg.method) {
      case 'Runtime.consoleAPICalled':
        problems.push(`console.${p.type}: ${p.args.map((a) => a.value ?? a.description).join(' ')}`);
        break;
      case 'Runtime.exceptionThrown':
        problems.push(`exception: ${p.exceptionDetails.text}`);
        break;
      case 'Log.entryAdded':
        problems.push(`log ${p.entry.level} (${p.entry.source}): ${p.entry.text}`);
        break;
      case 'Network.requestWillBeSent':
        requests.push(p.request.url);
        break;
      case 'Page.javascriptDialogOpening':
        problems.push(`dialog: ${p.message}`);
        break;
      case 'Page.loadEventFired':
        loaded();
        break;
    }
  };
  listeners.add(onEvent);
  try {
    for (const domain of ['Page', 'Runtime', 'Log', 'Network']) {
      await send(`${domain}.enable`, {}, sessionId);
    }
    await send('Emulation.setDeviceMetricsOverride', {
      width: vp.width, height: vp.height, deviceScaleFactor: vp.scale, mobile: vp.mobile,
    }, sessionId);
    await send('Emulation.setEmulatedMedia', {
      features: [{ name: 'prefers-color-scheme', value: scheme }],
    }, sessionId);
    await send('Page.navigate', { url }, sessionId);
    await Promise.race([load, sleep(15000).then(() => { throw new Error('load timed out'); })]);
    await sleep(300); // let late console messages or requests arrive
    const facts = (await send('Runtime.evaluate', {
      expression: `JSON.stringify({
        scripts: document.scripts.length,
        overflow: document.documentElement.scrollWidth - window.innerWidth,
        height: document.documentElement.scrollHeight,
        h1: document.querySelector('h1')?.textContent,
        svgsWithoutName: [...document.querySelectorAll('svg')].filter(
          (s) => !(s.getAttribute('aria-labelledby') || s.getAttribute('aria-label'))).length,
        background: getComputedStyle(document.body).backgroundColor,
      })`,
      returnByValue: true,
    }, sessionId)).result.value;
    const f = JSON.parse(facts);
    const others = requests.filter((u) => u !== url);
    if (others.length) problems.push(`network requests: ${others.join(', ')}`);
    if (f.scripts) problems.push(`${f.scripts} script element(s)`);
    if (f.overflow > 0) problems.push(`overflows the viewport by ${f.overflow}px`);
    if (f.svgsWithoutName) problems.push(`${f.svgsWithoutName} svg without a text alternative`);
    const metrics = await send('Page.getLayoutMetrics', {}, sessionId);
    const size = metrics.cssContentSize || metrics.contentSize;
    // Very tall pages are cut, so a screenshot stays quick to take and to look at.
    const shotHeight = Math.min(Math.ceil(size.height), MAX_SHOT_HEIGHT);
    const shot = await send('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width: vp.width, height: shotHeight, scale: 1 },
    }, sessionId);
    const png = join(dirname(resolve(page)), `screenshot-${vp.name}-${scheme}.png`);
    writeFileSync(png, Buffer.from(shot.data, 'base64'));
    const line = `${urlName(resolve(page))} ${vp.name} ${scheme}: ${problems.length ? 'FAIL' : 'ok'}` +
      ` (requests: ${requests.length}, page ${vp.width}x${Math.ceil(size.height)} css px,` +
      ` screenshot ${vp.width * vp.scale}x${shotHeight * vp.scale} px, body ${f.background})` +
      ` -> ${png}`;
    report.push(line);
    if (process.env.VERBOSE) console.error(line);
    for (const p of problems) report.push(`    ${p}`);
    failures += problems.length ? 1 : 0;
  } finally {
    listeners.delete(onEvent);
    await send('Target.closeTarget', { targetId });
  }
}

try {
  for (const page of pages) {
    for (const vp of VIEWPORTS) {
      for (const scheme of SCHEMES) {
        await check(page, vp, scheme);
      }
    }
  }
} catch (e) {
  failures++;
  report.push(`error: ${e.stack || e}`);
} finally {
  ws.close();
  browser.kill();
  server.close();
  await sleep(200);
  rmSync(profile, { recursive: true, force: true });
}
console.log(report.join('\n'));
console.log(`server saw ${served.length} request(s): ${[...new Set(served)].join(', ')}`);
const checks = pages.length * VIEWPORTS.length * SCHEMES.length;
console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
