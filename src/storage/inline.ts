// The inline store: the image itself, as a data URI in attributes.avatar. Works on every authentik
// version and needs no web server, at the cost of travelling in every user API response.

import { toDataUri } from '../image/index.js';
import type { AvatarStore, StorableImage, StoredImage } from './types.js';

export class InlineStore implements AvatarStore {
  readonly kind = 'inline' as const;

  async wouldBeSame(image: StorableImage, currentValue: unknown): Promise<boolean> {
    return currentValue === toDataUri(image.mime, image.data);
  }

  async put(image: StorableImage): Promise<StoredImage> {
    return { value: toDataUri(image.mime, image.data) };
  }

  async discard(): Promise<string | null> {
    return null; // nothing outside the user record to undo
  }
}
