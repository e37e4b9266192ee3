/**
 * V8's JSON.parse messages do not always carry a position ("Unexpected token 'x',
 * "…" is not valid JSON"), so when parsing fails we locate the first offending
 * character ourselves with a small RFC 8259 scanner. Only called on failure.
 */
export function jsonErrorPosition(text: string): number {
  let i = 0;

  const fail = (): never => {
    throw new ScanStop(i);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const expect = (literal: string): void => {
    for (const ch of literal) {
      if (text.charAt(i) !== ch) fail();
      i++;
    }
  };
  const digits = (): void => {
    if (!/[0-9]/.test(text.charAt(i))) fail();
    while (/[0-9]/.test(text.charAt(i))) i++;
  };
  const number = (): void => {
    if (text.charAt(i) === '-') i++;
    if (text.charAt(i) === '0') i++;
    else digits();
    if (text.charAt(i) === '.') {
      i++;
      digits();
    }
    if (text.charAt(i) === 'e' || text.charAt(i) === 'E') {
      i++;
      if (text.charAt(i) === '+' || text.charAt(i) === '-') i++;
      digits();
    }
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      if (i >= text.length) fail();
      const ch = text.charCodeAt(i);
      if (ch === 0x22) {
        i++;
        return;
      }
      if (ch < 0x20) fail();
      if (ch === 0x5c) {
        i++;
        const esc = text.charAt(i);
        if (esc === 'u') {
          i++;
          for (let k = 0; k < 4; k++) {
            if (!/[0-9a-fA-F]/.test(text.charAt(i))) fail();
            i++;
          }
          continue;
        }
        if (!'"\\/bfnrt'.includes(esc) || esc === '') fail();
      }
      i++;
    }
  };
  const value = (): void => {
    ws();
    const ch = text.charAt(i);
    if (ch === '{') {
      i++;
      ws();
      if (text.charAt(i) === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        string();
        ws();
        expect(':');
        value();
        ws();
        if (text.charAt(i) === ',') {
          i++;
          continue;
        }
        expect('}');
        return;
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text.charAt(i) === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text.charAt(i) === ',') {
          i++;
          continue;
        }
        expect(']');
        return;
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return expect('true');
    if (ch === 'f') return expect('false');
    if (ch === 'n') return expect('null');
    if (ch === '-' || /[0-9]/.test(ch)) return number();
    fail();
  };

  try {
    value();
    ws();
    if (i < text.length) fail();
  } catch (err: unknown) {
    if (err instanceof ScanStop) {
      return err.position;
    }
    throw err;
  }
  // The scanner accepted what JSON.parse refused (should not happen): blame the end.
  return text.length;
}

class ScanStop extends Error {
  constructor(readonly position: number) {
    super(`JSON syntax error at position ${position}`);
  }
}
