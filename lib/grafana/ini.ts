/** A grafana.ini as sections of keys; the unnamed section is `""`. */
export type GrafanaIni = Readonly<Record<string, Readonly<Record<string, string | number | boolean>>>>;

/**
 * Settings every Grafana of the library starts with: nothing phones home, logs go to the
 * console (the root filesystem is read-only), nobody signs up, and nobody is let in anonymously.
 */
export const BASE_INI: GrafanaIni = {
  analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
  log: { mode: 'console' },
  users: { allow_sign_up: false },
  'auth.anonymous': { enabled: false },
  security: { disable_gravatar: true, cookie_samesite: 'lax' },
};

/** Sections merged key by key; a later value of a key wins. */
export function mergeIni(...layers: ReadonlyArray<GrafanaIni | undefined>): Record<string, Record<string, string | number | boolean>> {
  const out: Record<string, Record<string, string | number | boolean>> = {};
  for (const layer of layers) {
    for (const [section, keys] of Object.entries(layer ?? {})) out[section] = { ...out[section], ...keys };
  }
  return out;
}

/** The ini text: one `[section]` per block, `key = value` lines, sections in a stable order. */
export function renderIni(ini: GrafanaIni): string {
  const sections = Object.keys(ini).sort();
  return (
    sections
      .map((section) => {
        const lines = Object.entries(ini[section]).map(([k, v]) => `${k} = ${String(v)}`);
        return [...(section ? [`[${section}]`] : []), ...lines].join('\n');
      })
      .join('\n\n') + '\n'
  );
}
