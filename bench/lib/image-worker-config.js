// Settings of the bare sharp call, shared by image-worker.js and pipeline-probe.js. Keep them equal to the
// pipeline's (src/image: decode.ts INPUT_LIMITS, encode.ts), else the comparison measures encoder effort
// instead of pipeline overhead; the image tables show output sizes side by side as a check.
export const SHARP_ENCODE = {
  png: { compressionLevel: 9 },
  webp: { quality: 85 },
  jpeg: { quality: 85 },
};
export const SHARP_INPUT = { failOn: 'warning', limitInputPixels: 50_000_000, sequentialRead: true };
