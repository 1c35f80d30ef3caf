// The command registry. One import and one call per command, in alphabetical order, so that
// several people can add commands without merge conflicts. Each registerX only declares the command
// (name, options, help); its implementation is imported lazily inside the action.
import type { Deps } from '../context.js';
import type { Root } from '../program.js';
import { registerConfig } from './config.js';
import { registerCrop } from './crop.js';
import { registerReset } from './reset.js';
import { registerSandbox } from './sandbox.js';
import { registerSetup } from './setup.js';
import { registerShow } from './show.js';
import { registerStatus } from './status.js';
import { registerTeardown } from './teardown.js';
import { registerUpload } from './upload.js';
import { registerWhoami } from './whoami.js';

export function registerAll(root: Root, deps: Deps): void {
  registerConfig(root, deps);
  registerCrop(root, deps);
  registerReset(root, deps);
  registerSandbox(root, deps);
  registerSetup(root, deps);
  registerShow(root, deps);
  registerStatus(root, deps);
  registerTeardown(root, deps);
  registerUpload(root, deps);
  registerWhoami(root, deps);
}
