// Summarises JFR execution samples: the hottest top frames and the hottest vmplane frames (the first io.vmplane frame
// of each stack) and the libraries on the stacks (inclusive), per recording. Usage: node jfr-top.mjs FILE.jfr... (prints text)
import { execFileSync } from 'node:child_process';
import path from 'node:path';

for (const file of process.argv.slice(2)) {
  let out;
  try {
    out = execFileSync('jfr', ['print', '--events', 'jdk.ExecutionSample', '--stack-depth', '64', file],
      { maxBuffer: 1 << 30, encoding: 'utf8' });
  } catch (e) { console.log(`${path.basename(file)}: unreadable (${e.message.split('\n')[0]})`); continue; }
  const top = new Map(), ours = new Map(), libs = new Map();
  let samples = 0, startup = 0;
  for (const event of out.split('jdk.ExecutionSample {').slice(1)) {
    const frames = (event.split('stackTrace = [')[1] ?? '').split('\n').map((l) => l.trim())
      .filter((l) => l && l !== '}' && !l.startsWith(']') && !l.startsWith('...')).map((l) => l.replace(/\s+line:.*$/, '').replace(/\(.*$/, ''));
    // start-up (stacks through a main method) is left out: the figures are about the steady state
    if (!frames.length || frames.some((f) => f.endsWith('.main'))) { startup++; continue; }
    samples++;
    top.set(frames[0], (top.get(frames[0]) ?? 0) + 1);
    const mine = frames.find((f) => f.startsWith('io.vmplane.'));
    if (mine) ours.set(mine, (ours.get(mine) ?? 0) + 1);
    // inclusive share of each library (first three package names) in the samples
    for (const lib of new Set(frames.map((f) => f.split('.').slice(0, 3).join('.')))) libs.set(lib, (libs.get(lib) ?? 0) + 1);
  }
  const list = (m, n = 10) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n)
    .map(([f, n]) => `    ${(100 * n / samples).toFixed(1).padStart(5)}%  ${f}`).join('\n');
  console.log(`${path.basename(file)}: ${samples} samples (${startup} of start-up left out)\n  top frames:\n${list(top)}\n  first vmplane frame:\n${list(ours)}\n  libraries on the stack (inclusive):\n${list(libs, 14)}\n`);
}
