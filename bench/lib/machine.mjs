/** The machine a benchmark ran on: cores, CPU model, memory, OS. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

export function machineInfo() {
  let model = os.cpus()[0]?.model?.trim() || 'unknown CPU';
  try {
    const m = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {
    // not Linux: os.cpus() is good enough
  }
  return {
    cores: os.availableParallelism?.() ?? os.cpus().length,
    cpu: model,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

/** The 1-minute load average (0 where the OS has none). */
export function loadavg1() {
  return os.loadavg()[0] ?? 0;
}
