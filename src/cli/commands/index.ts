// The command registry: one entry per command, in alphabetical order (one line each, so several
// people can add commands without merge conflicts).
//
// Command modules load lazily (start-up time, issue "Benchmarks"): `ak-avatars --help` and
// `--version` load none of them, `ak-avatars upload ...` loads upload's only. The root help still has
// to list every command, so an entry carries the line the root help shows for it (commander's
// "subcommand term" and the command's description). test/cli/help.test.ts checks each entry against
// the real command and the root help against the one built from every module, so they cannot drift.
// An entry without `help` works too: its module then loads whenever the root help may be needed.
import type { Deps } from '../context.js';
import type { Root } from '../program.js';

export type Register = (root: Root, deps: Deps) => void;

export interface CommandEntry {
  name: string;
  /** What the root help shows: `term` as commander prints it (`upload [options] <user> <image>`) and the description. */
  help?: { term: string; description: string };
  load(): Promise<Register>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'config', help: { term: 'config', description: 'manage saved connection profiles (URL, token, TLS settings)' }, load: async () => (await import('./config.js')).registerConfig },
  { name: 'crop', help: { term: 'crop [options] [user]', description: "crop a user's current avatar to a square and store it the same way" }, load: async () => (await import('./crop.js')).registerCrop },
  { name: 'reset', help: { term: 'reset [options] <user>', description: "remove a user's avatar so authentik falls back to the next avatar mode" }, load: async () => (await import('./reset.js')).registerReset },
  { name: 'sandbox', help: { term: 'sandbox [options]', description: 'run a built-in authentik stand-in on 127.0.0.1 to try every command safely' }, load: async () => (await import('./sandbox.js')).registerSandbox },
  { name: 'setup', help: { term: 'setup [options]', description: 'set up avatar uploads in the user settings flow (idempotent; safe to re-run)' }, load: async () => (await import('./setup.js')).registerSetup },
  { name: 'show', help: { term: 'show [options] <user>', description: "show a user's avatar: where it lives, the mode authentik uses, format and size" }, load: async () => (await import('./show.js')).registerShow },
  { name: 'status', help: { term: 'status [options]', description: 'report the health of the avatar set-up (read-only; exit 8 on drift)' }, load: async () => (await import('./status.js')).registerStatus },
  { name: 'sync', help: { term: 'sync [options] <dir>', description: 'set the avatars of many users from a directory of images named after them (idempotent)' }, load: async () => (await import('./sync.js')).registerSync },
  { name: 'teardown', help: { term: 'teardown [options]', description: "remove the avatar set-up (users' avatars stay unless --purge-avatars)" }, load: async () => (await import('./teardown.js')).registerTeardown },
  { name: 'upload', help: { term: 'upload [options] <user> <image>', description: "set a user's avatar from an image file (or stdin), cropped square and re-encoded" }, load: async () => (await import('./upload.js')).registerUpload },
  { name: 'whoami', help: { term: 'whoami', description: "show the token's user and the authentik version" }, load: async () => (await import('./whoami.js')).registerWhoami },
];
