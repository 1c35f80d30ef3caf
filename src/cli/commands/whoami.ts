// `ak-avatars whoami`: the token's user and the instance's authentik version. The smallest command
// that proves URL, token, TLS and the client end to end.
import { action, type Ctx, type Deps } from '../context.js';
import { examples, type Root } from '../program.js';

/** The part of GET core/users/me/ we show (authentik's SessionUser: {user, original?}). */
interface MeResponse {
  user: { pk: number; username: string; name: string; email?: string; is_superuser: boolean; uuid?: string };
  original?: { username: string } | null;
}

export interface WhoamiResult {
  url: string;
  profile: string | null;
  user: { pk: number; username: string; name: string; email: string | null; is_superuser: boolean };
  authentik: { version: string };
}

export function registerWhoami(root: Root, deps: Deps): void {
  root
    .command('whoami')
    .description("show the token's user and the authentik version")
    .addHelpText(
      'after',
      examples(
        ['ak-avatars whoami'],
        ['ak-avatars --profile prod whoami --json', 'as JSON: {url, profile, user, authentik: {version}}'],
        ['AUTHENTIK_URL=http://127.0.0.1:9000 AUTHENTIK_TOKEN=... ak-avatars whoami', 'without a profile'],
      ),
    )
    .action(action(deps, async (ctx) => whoami(ctx)));
}

export async function whoami(ctx: Ctx): Promise<number> {
  const conn = await ctx.connection();
  const client = await ctx.client();
  // two independent reads; version() is cached on the client for later commands
  const [me, { version }] = await ctx.out.during(`Contacting ${conn.url}`, () =>
    Promise.all([client.get<MeResponse>('core/users/me/'), client.version()]),
  );
  const u = me.user;
  const result: WhoamiResult = {
    url: conn.url,
    profile: conn.profile ?? null,
    user: { pk: u.pk, username: u.username, name: u.name, email: u.email || null, is_superuser: u.is_superuser },
    authentik: { version },
  };
  const c = ctx.out.c;
  ctx.out.data(result, () =>
    [
      `${c.bold(u.username)}${u.name ? ` (${u.name})` : ''}${u.email ? ` <${u.email}>` : ''}`,
      `  user id:    ${u.pk}${u.is_superuser ? `, ${c.yellow('superuser')}` : ''}`,
      `  authentik:  ${version} at ${conn.url}`,
      ...(conn.profile ? [`  profile:    ${conn.profile}`] : []),
      ...(me.original ? [`  impersonated by ${me.original.username}`] : []),
    ].join('\n'),
  );
  return 0;
}
