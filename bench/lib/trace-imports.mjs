// `node --import ./bench/lib/trace-imports.mjs …` prints every module URL the program resolves, one
// "LOAD <url>" line on stderr: the start-up section uses it to list what `--help` really loads.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  process.stderr.write('LOAD ' + r.url + '\\n');
  return r;
}`));
