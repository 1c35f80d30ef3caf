export type { AvatarStore, FileOwnership, StorableImage, StoredImage, StoreKind } from './types.js';
export { InlineStore } from './inline.js';
export { DirStore, openDirStore, normalizePublicUrl } from './dir.js';
export { FILE_NAME_RE, newFileName, extensionFor } from './names.js';
