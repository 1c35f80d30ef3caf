/** libvips repeats lines and prefixes them; keep each distinct line once, on one line. */
export function cleanVipsMessage(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.replace(/^Input (buffer|file) has corrupt header:\s*/i, '').trim())
    .filter((l) => l !== '');
  return [...new Set(lines)].join('; ') || 'unknown decoder error';
}
