// The overall wall-clock limit of one image operation (default 15 s), shared by every step.
import { ImageError } from './errors.js';

export class Deadline {
  readonly end: number;
  constructor(readonly ms: number) {
    this.end = Date.now() + ms;
  }

  remaining(): number {
    return Math.max(0, this.end - Date.now());
  }

  error(): ImageError {
    return new ImageError(`image processing took too long (> ${formatMs(this.ms)})`, {
      hint: 'the image is too complex to process; simplify or re-export it',
    });
  }

  check(): void {
    if (this.remaining() <= 0) throw this.error();
  }

  /** Calls fn once when the deadline passes; returns a function that cancels it. The timer never keeps node alive. */
  onExpire(fn: () => void): () => void {
    const t = setTimeout(fn, this.remaining());
    t.unref();
    return () => clearTimeout(t);
  }

  /**
   * Rejects at the deadline even if `p` is still running. In-process native work can't be cancelled from JS; sharp's
   * own timeout (sharpSeconds) stops libvips at its next checkpoint, and the caller gets its answer on time.
   */
  async race<T>(p: Promise<T>): Promise<T> {
    let cancel: () => void = () => undefined;
    const expired = new Promise<never>((_, reject) => {
      cancel = this.onExpire(() => reject(this.error()));
    });
    try {
      return await Promise.race([p, expired]);
    } finally {
      cancel();
      p.catch(() => undefined); // a late failure of the abandoned work must not become an unhandled rejection
    }
  }

  /** For sharp's .timeout({ seconds }): whole seconds, at least 1 (0 would mean "no limit"). */
  sharpSeconds(): number {
    return Math.max(1, Math.ceil(this.remaining() / 1000));
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
