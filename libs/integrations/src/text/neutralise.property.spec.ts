import { bigHostileString, findDiscordLive, hostileString } from '@opscrew/testing';
import fc from 'fast-check';
import { findLiveMarkup } from '../testing/hostile-text';
import { neutralise, neutraliseLine } from './neutralise';

/**
 * Properties, not examples: for any string (full Unicode, lone surrogates,
 * controls, invisible characters, hostile fragments glued in any order), the
 * output holds nothing live — judged by the independent Discord oracle
 * (@opscrew/testing), not by neutralise's own patterns.
 */
describe('neutralise (properties)', () => {
  it('for Discord: nothing live per the oracle, never a throw', () => {
    fc.assert(
      fc.property(hostileString(), (input) => {
        expect(findDiscordLive(neutralise(input, 'discord'))).toEqual([]);
        expect(findDiscordLive(neutraliseLine(input, 'discord'))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('for plain text (Jira): no mention, link, script URI, control or lone surrogate', () => {
    fc.assert(
      fc.property(hostileString(), (input) => {
        expect(findLiveMarkup(neutralise(input, 'plain'), 'plain')).toEqual([]);
        expect(findLiveMarkup(neutraliseLine(input, 'plain'), 'plain')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('neutraliseLine is one line', () => {
    fc.assert(
      fc.property(hostileString(), fc.constantFrom('discord', 'plain'), (input, target) => {
        expect(neutraliseLine(input, target)).not.toMatch(/[\n\r\u2028\u2029\u0085]/);
      }),
      { numRuns: 200 },
    );
  });

  it('is stable: neutralising its own output adds nothing live', () => {
    fc.assert(
      fc.property(hostileString(), (input) => {
        const twice = neutralise(neutralise(input, 'plain'), 'discord');
        expect(findDiscordLive(twice)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('holds at 64 KB and 1 MB (its speed is a bench line)', () => {
    fc.assert(
      fc.property(fc.oneof(bigHostileString(64 * 1024), bigHostileString(1 << 20)), (input) => {
        const out = neutralise(input, 'discord');
        expect(findDiscordLive(out)).toEqual([]);
      }),
      { numRuns: 4 },
    );
  });
});
