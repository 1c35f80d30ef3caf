// External tools the bench compares against or measures with. ImageMagick comes from Debian's
// `imagemagick` package, installed here when missing. A `convert` earlier on PATH may be something else
// entirely (this project's machines have a screenshot-only stand-in at /usr/local/bin/convert), so every
// candidate must prove it is ImageMagick through its `-version` banner.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// The real binaries first: a wrapper on PATH that forwards to them would add its own start-up to every figure.
const CANDIDATES = ['/usr/bin/convert-im6.q16', '/usr/bin/convert', '/usr/bin/magick', 'convert'];

function probe(cmd) {
  try {
    const out = execFileSync(cmd, ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    const m = /^Version: (ImageMagick [^\s]+(?: [^\s]+)?)/m.exec(out);
    return m ? { cmd, version: m[1] } : undefined;
  } catch {
    return undefined;
  }
}

export function findImageMagick() {
  for (const c of CANDIDATES) {
    const found = probe(c);
    if (found) return found;
  }
  return undefined;
}

function aptInstall(pkg, log) {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    log(`  cannot install ${pkg}: needs root and apt-get`);
    return false;
  }
  log(`  installing Debian package ${pkg} (apt-get install -y ${pkg}) ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', pkg], { env, stdio: 'ignore', timeout: 300_000 });
  if (r.status !== 0) {
    // A fresh machine may have no package lists yet.
    spawnSync('apt-get', ['update'], { env, stdio: 'ignore', timeout: 300_000 });
    r = spawnSync('apt-get', ['install', '-y', pkg], { env, stdio: 'ignore', timeout: 300_000 });
  }
  return r.status === 0;
}

/** Ensure ImageMagick and GNU time, installing them when allowed. Never throws: missing tools are reported. */
export function ensureTools({ install = true, needImageMagick = true, log = () => {} } = {}) {
  let gnuTime = existsSync('/usr/bin/time');
  if (!gnuTime && install) gnuTime = aptInstall('time', log) && existsSync('/usr/bin/time');
  let imagemagick;
  if (needImageMagick) {
    imagemagick = findImageMagick();
    if (!imagemagick && install && aptInstall('imagemagick', log)) imagemagick = findImageMagick();
    if (!imagemagick) log('  ImageMagick not available: its columns will read n/a');
  }
  return { gnuTime, imagemagick };
}
