// Figures: medians over interleaved rounds, rows of the report, and running measurement processes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const spread = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x));
  return s.length ? [Math.min(...s), Math.max(...s)] : null;
};

/**
 * One row: name, unit, our samples (one per round), the anchor's name and samples (or a published value), and the
 * target as {text, ratio: ">=" | "<=" bound on value/anchor} or {text, value: bound on the value itself}.
 */
export function row({ name, unit, ours, anchor = null, anchorSamples = null, anchorValue = null, target = null, note = null }) {
  const value = Array.isArray(ours) ? median(ours) : ours;
  const anchorV = anchorSamples ? median(anchorSamples) : anchorValue;
  const ratio = value !== null && anchorV ? value / anchorV : null;
  let met = null;
  if (target && value !== null) {
    const [op, bound, what] = target.ratio !== undefined ? [target.op, target.ratio, ratio] : [target.op, target.value, value];
    if (what !== null) met = op === '>=' ? what >= bound : what <= bound;
  }
  return {
    name, value: round(value), unit, anchor, anchor_value: round(anchorV), ratio: round(ratio, 3),
    target: target ? target.text : null, met,
    spread: Array.isArray(ours) ? spread(ours)?.map((x) => round(x)) : null,
    rounds: Array.isArray(ours) ? ours.filter((x) => Number.isFinite(x)).length : null,
    note,
  };
}

export function round(x, digits) {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const d = digits ?? (Math.abs(x) >= 100 ? 1 : Math.abs(x) >= 1 ? 2 : 4);
  return Number(x.toFixed(d));
}

/** Runs a command, resolves to its stdout; rejects on a non-zero exit or after timeoutMs. */
export function run(cmd, args, { timeoutMs = 120000, env, input } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`${cmd} timed out after ${timeoutMs} ms`)); }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ').slice(0, 120)} exited ${code}: ${err.slice(-400)}`));
    });
    if (input !== undefined) child.stdin.end(input); else child.stdin.end();
  });
}

export function writeRows(file, rows) {
  fs.writeFileSync(file, JSON.stringify(rows, null, 1) + '\n');
}

export const log = (...a) => console.error('bench:', ...a);
