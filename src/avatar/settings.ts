// The `avatars` system setting, needed by `show` to say which avatar authentik will actually use.

import { CliError } from '../errors.js';
import { DEFAULT_AVATARS_SETTING } from './mode.js';
import type { AvatarApi } from './user.js';

export interface AvatarsSetting {
  value: string;
  /** 'settings': read from /admin/settings/; 'assumed': authentik's default, with the reason. */
  source: 'settings' | 'assumed';
  note?: string;
}

export async function readAvatarsSetting(api: AvatarApi): Promise<AvatarsSetting> {
  const features = await api.features();
  if (!features.settingsApi) {
    return { value: DEFAULT_AVATARS_SETTING, source: 'assumed', note: 'this authentik has no settings API: AUTHENTIK_AVATARS decides (default shown)' };
  }
  try {
    const s = await api.get<{ avatars?: unknown }>('admin/settings/');
    if (typeof s.avatars !== 'string') return { value: DEFAULT_AVATARS_SETTING, source: 'assumed', note: 'the settings answer has no avatars field' };
    return { value: s.avatars, source: 'settings' };
  } catch (e) {
    // Reading the setting needs authentik_rbac.view_system_settings; `show` should still work without it.
    if (e instanceof CliError && e.exitCode === 4) {
      return { value: DEFAULT_AVATARS_SETTING, source: 'assumed', note: 'the token may not read system settings (authentik_rbac.view_system_settings)' };
    }
    throw e;
  }
}
