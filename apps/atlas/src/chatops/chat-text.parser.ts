import {
  CHAT_COMMAND_DEFINITIONS,
  type ChatCommandDefinition,
  type ChatOptionDefinition,
} from './chat-command.definitions';

/** Longest chat line accepted: every command with its longest options fits well within. */
export const CHAT_TEXT_MAX_LENGTH = 500;

export interface ParsedChatText {
  readonly name: string;
  /** Raw values by option name; checked against the definition by checkChatOptions. */
  readonly options: Readonly<Record<string, string>>;
}

export type ChatTextParse =
  | { readonly ok: true; readonly command: ParsedChatText }
  | { readonly ok: false; readonly problem: string };

/**
 * `/status cart`, `/silence cart 2h deploy in progress`, `/ack id:INC-…`: the slash-command
 * text of `opscrew chat` as a command name and its options, as Discord would have sent them.
 * Options come positionally in their declared order or as `name:value`; quotes ("…" or '…')
 * keep spaces together; the last option marked `rest` (a reason) takes the rest of the line.
 */
export function parseChatText(
  text: string,
  definitions: readonly ChatCommandDefinition[] = CHAT_COMMAND_DEFINITIONS,
): ChatTextParse {
  if (text.length > CHAT_TEXT_MAX_LENGTH)
    return { ok: false, problem: `command: at most ${CHAT_TEXT_MAX_LENGTH} characters` };
  const tokens = tokenize(text);
  if ('problem' in tokens) return { ok: false, problem: tokens.problem };
  const [head, ...rest] = tokens.words;
  const known = definitions.map((definition) => `/${definition.name}`).join(', ');
  if (head === undefined) return { ok: false, problem: `command: empty; expected one of ${known}` };
  const name = head.startsWith('/') ? head.slice(1) : head;
  const definition = definitions.find((candidate) => candidate.name === name.toLowerCase());
  if (definition === undefined)
    return {
      ok: false,
      problem: `unknown command "/${name.slice(0, 32)}" (known: ${known})`,
    };
  const options: Record<string, string> = {};
  const byName = new Map(definition.options.map((option) => [option.name, option]));
  const positional: string[] = [];
  for (const word of rest) {
    const named = /^([a-z_]+):(.*)$/s.exec(word);
    const option = named ? byName.get(named[1] ?? '') : undefined;
    if (named && option) {
      if (options[option.name] !== undefined)
        return { ok: false, problem: `/${definition.name}: option ${option.name} given twice` };
      options[option.name] = named[2] ?? '';
    } else {
      positional.push(word);
    }
  }
  const open: ChatOptionDefinition[] = definition.options.filter(
    (option) => options[option.name] === undefined,
  );
  for (let index = 0; index < positional.length; index += 1) {
    const option = open.shift();
    if (option === undefined)
      return {
        ok: false,
        problem:
          `/${definition.name}: unexpected argument ${JSON.stringify((positional[index] ?? '').slice(0, 40))}` +
          ` (${usage(definition)})`,
      };
    if (option.rest === true) {
      options[option.name] = positional.slice(index).join(' ');
      break;
    }
    options[option.name] = positional[index] ?? '';
  }
  return { ok: true, command: { name: definition.name, options } };
}

/** `/silence <service> <duration> [reason]`. */
export function usage(definition: ChatCommandDefinition): string {
  const options = definition.options.map((option) =>
    option.required ? `<${option.name}>` : `[${option.name}]`,
  );
  return `usage: ${[`/${definition.name}`, ...options].join(' ')}`;
}

function tokenize(text: string): { words: string[] } | { problem: string } {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (const char of text.trim()) {
    if (quote !== null) {
      if (char === quote) quote = null;
      else current += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote !== null) return { problem: `command: unclosed ${quote} quote` };
  if (inWord) words.push(current);
  return { words };
}
