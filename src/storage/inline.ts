// The inline store: the image itself, as a data URI in attributes.avatar. Works on every authentik
// version and needs no web server, at the cost of travelling in every user API response.

import { createHash } from 'node:crypto';
import { parseDataUri, toDataUri } from '../image/index.js';
import type { AvatarStore, StorableImage, StoredImage } from './types.js';

export class InlineStore implements AvatarStore {
  readonly kind = 'inline' as const;

  /**
   * Same image = the current data URI decodes to the same bytes (sha256) with the same MIME type.
   * Compared on the decoded bytes, not the text, so a data URI written by someone else (the Python
   * policy, another tool) with the same picture counts as unchanged and is not rewritten.
   */
  async wouldBeSame(image: StorableImage, currentValue: unknown): Promise<boolean> {
    if (typeof currentValue !== 'string') return false;
    const current = parseDataUri(currentValue);
    if (!current || current.mime !== image.mime.trim().toLowerCase()) return false;
    return createHash('sha256').update(current.data).digest('hex') === image.sha256;
  }

  async put(image: StorableImage): Promise<StoredImage> {
    return { value: toDataUri(image.mime, image.data) };
  }

  async discard(): Promise<string | null> {
    return null; // nothing outside the user record to undo
  }
}
