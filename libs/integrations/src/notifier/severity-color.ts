/** Defaults match config/project/integrations/production/discord.json5. */
export const DEFAULT_SEVERITY_COLORS: Readonly<Record<string, number>> = {
  critical: 0xd7263d,
  high: 0xf46036,
  medium: 0xf2c14e,
  low: 0x2e86ab,
  info: 0x8d99ae,
};

/** Grey for anything unmapped: visible, never alarming. */
const FALLBACK_COLOR = 0x8d99ae;

/** `#d7263d`, `d7263d`, `0xd7263d` or a decimal string → an embed colour integer. */
export function parseColor(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().toLowerCase();
  const hex = /^(?:#|0x)?([0-9a-f]{6})$/.exec(text);
  if (hex?.[1] !== undefined) return parseInt(hex[1], 16);
  if (/^\d{1,8}$/.test(text)) {
    const n = Number(text);
    return n <= 0xffffff ? n : undefined;
  }
  return undefined;
}

export function severityColor(
  severity: string,
  configured: Readonly<Record<string, string>>,
): number {
  return parseColor(configured[severity]) ?? DEFAULT_SEVERITY_COLORS[severity] ?? FALLBACK_COLOR;
}
