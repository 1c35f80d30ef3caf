// Reading an image from a path or stdin with the size cap applied BEFORE the bytes are read.
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { formatBytes, ImageError, tooLarge, usageError } from './errors.js';
import { DEFAULT_MAX_INPUT_BYTES } from './limits.js';

/** `source` is a file path or '-' for stdin. Refuses non-regular files (FIFOs, devices, directories). */
export async function readInput(
  source: string,
  stdin: NodeJS.ReadableStream & { isTTY?: boolean },
  maxBytes: number = DEFAULT_MAX_INPUT_BYTES,
): Promise<Buffer> {
  if (source === '-') return readStream(stdin, maxBytes);
  return readFileCapped(source, maxBytes);
}

async function readFileCapped(path: string, maxBytes: number): Promise<Buffer> {
  const before = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw cannotRead(path, e);
  });
  if (!before.isFile()) throw new ImageError(`cannot read ${path}: not a regular file`);
  if (before.size > maxBytes) throw tooLarge(formatBytes(before.size), maxBytes);
  // O_NONBLOCK: if the path was swapped for a FIFO since stat(), open() must not hang; fstat() then refuses it.
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((e: NodeJS.ErrnoException) => {
    throw cannotRead(path, e);
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new ImageError(`cannot read ${path}: not a regular file`);
    if (st.size > maxBytes) throw tooLarge(formatBytes(st.size), maxBytes);
    // Read at most maxBytes + 1: a file that grows after fstat() is still caught, never read whole.
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let total = 0;
    for (;;) {
      if (total === buf.length) {
        if (total > maxBytes) throw tooLarge(`more than ${formatBytes(maxBytes)}`, maxBytes);
        break;
      }
      const { bytesRead } = await fh.read(buf, total, buf.length - total, total);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    if (total > maxBytes) throw tooLarge(`more than ${formatBytes(maxBytes)}`, maxBytes);
    return buf.subarray(0, total);
  } finally {
    await fh.close();
  }
}

function cannotRead(path: string, e: NodeJS.ErrnoException): ImageError {
  const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message;
  return new ImageError(`cannot read ${path}: ${why}`, { cause: e });
}

/** Stops reading (and pauses the stream) as soon as more than maxBytes arrived. */
function readStream(stream: NodeJS.ReadableStream & { isTTY?: boolean }, maxBytes: number): Promise<Buffer> {
  if (stream.isTTY) return Promise.reject(usageError('refusing to read an image from a terminal', 'pipe the file in (< photo.jpg) or pass its path'));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const cleanup = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
    };
    const onData = (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      total += b.length;
      if (total > maxBytes) {
        cleanup();
        stream.pause();
        const destroy = (stream as { destroy?: () => void }).destroy;
        if (typeof destroy === 'function') destroy.call(stream);
        reject(tooLarge(`more than ${formatBytes(maxBytes)} on stdin`, maxBytes));
        return;
      }
      chunks.push(b);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new ImageError(`cannot read stdin: ${e.message}`, { cause: e }));
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.resume();
  });
}
