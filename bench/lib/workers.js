// Parent side of image-worker.js: a long-lived child per variant, driven over IPC, for warm per-image timings.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'image-worker.js');
export const IMAGE_WORKER = WORKER;

export async function startWorker(variant) {
  const child = fork(WORKER, ['serve', variant], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  let ready;
  const readyP = new Promise((res, rej) => {
    ready = res;
    child.once('exit', (code) => rej(new Error(`${variant} worker exited ${code} before it was ready`)));
  });
  child.on('message', (msg) => {
    if (msg.type === 'ready') return ready();
    const p = pending.get(msg.id);
    if (p) {
      pending.delete(msg.id);
      p(msg);
    }
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p({ ok: false, error: `worker exited ${code}` });
    pending.clear();
  });
  await readyP;
  return {
    variant,
    run(input, size, format) {
      const id = nextId++;
      return new Promise((res) => {
        pending.set(id, res);
        child.send({ id, input, size, format });
      });
    },
    close() {
      return new Promise((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.send({ type: 'exit' });
      });
    },
  };
}
