#!/usr/bin/env node
// Thin shim: the CLI lives in dist/ (built by `npm run build`). No process.exit(): pending output is
// flushed and open handles close before Node exits with this code.
// Start-up time: Node >= 22.1 can keep compiled code on disk between runs (module.enableCompileCache);
// older Node has no such API (and Node < 20.16 no process.getBuiltinModule): then this is a no-op.
process.getBuiltinModule?.('node:module')?.enableCompileCache?.();
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('main.js')) {
    process.stderr.write('Error: ak-avatars is not built (dist/ is missing)\nHint: run `npm run build` in the package folder\n');
    process.exitCode = 1;
  } else {
    throw e;
  }
}
if (main) process.exitCode = await main();
