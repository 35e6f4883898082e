// What every e2e test file shares: the real binary started on a free loopback port with a
// fresh data folder, waited for until /readyz answers, and Debian's Chromium in headless
// mode with the flags this machine's closed network needs.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import net from 'node:net';
import { chromium } from 'playwright-core';

export const bin = resolve(process.env.CADRESTAT_BIN || '../bin/cadrestat');
export const outDir = resolve(process.env.CADRESTAT_TEST_OUTPUT || '../test-output');
mkdirSync(outDir, { recursive: true });

const freePort = () => new Promise((ok) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => ok(port)); }); });

// startServer runs `cadrestat serve` with extra flags; it resolves to { base, stop }.
export async function startServer(name, extraArgs = [], dataDir = mkdtempSync(join(tmpdir(), `cadrestat-${name}-`))) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(bin, ['serve', '-data', dataDir, '-addr', `127.0.0.1:${port}`, ...extraArgs], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr.on('data', (d) => { log += d; });
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) break; } catch { /* not yet */ }
    if (i > 300) throw new Error(`server not ready:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, stop: () => server.kill('SIGTERM') };
}

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
