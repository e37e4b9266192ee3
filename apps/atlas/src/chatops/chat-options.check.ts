import { type ChatOptions } from './chat-command';
import { type ChatCommandDefinition } from './chat-command.definitions';

export type CheckedOptions =
  | { readonly ok: true; readonly options: ChatOptions }
  | { readonly ok: false; readonly problem: string };

/**
 * A command's options (from Discord, or parsed from `opscrew chat` text) checked against its
 * definition: no unknown option, every required one present, each value a string of the right
 * shape. The problem names the command, the option and what it must be.
 */
export function checkChatOptions(
  definition: ChatCommandDefinition,
  given: Readonly<Record<string, unknown>>,
): CheckedOptions {
  const where = `/${definition.name}`;
  const known = new Set(definition.options.map((option) => option.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) {
      const expected =
        definition.options.length === 0
          ? 'it takes none'
          : `it takes ${definition.options.map((option) => option.name).join(', ')}`;
      return {
        ok: false,
        problem: `${where}: unknown option "${name.slice(0, 32)}" (${expected})`,
      };
    }
  }
  const options: Record<string, string> = {};
  for (const option of definition.options) {
    const value = given[option.name];
    if (value === undefined) {
      if (option.required)
        return {
          ok: false,
          problem: `${where}: option ${option.name} is required (${option.hint})`,
        };
      continue;
    }
    if (typeof value !== 'string')
      return {
        ok: false,
        problem: `${where}: option ${option.name} must be text (${option.hint})`,
      };
    const text = value.trim();
    if (text.length === 0 || text.length > option.maxLength || !option.pattern.test(text))
      return {
        ok: false,
        problem:
          `${where}: option ${option.name}: ${JSON.stringify(text.slice(0, 40))} is not ` +
          `${option.hint}${text.length > option.maxLength ? `, at most ${option.maxLength} characters` : ''}`,
      };
    options[option.name] = text;
  }
  return { ok: true, options };
}
