import { type Notification } from '@opscrew/ports';
import { buildDiscordMessages, buildTicketDescription, neutralise } from '@opscrew/integrations';
import { emit, median, nowMs, round } from './bench-output';

/**
 * Linear growth: from 1 KB to 1 MB (1,024× the input) the time of the three together may
 * grow at most this much. 1,024 is exactly linear; 1,500 leaves room for cache effects, not
 * for a quadratic pass (BARE_DOMAIN took 0.8-3.9 s on 32 KB and never finished 1 MB). The
 * builders read a bounded prefix of each field, so their part stays flat past 64 KB.
 */
const TARGET_GROWTH = 1_500;
/**
 * neutralise itself reads everything: from 64 KB to 1 MB (16×) its time may grow 24× (1.5×
 * linear). Measured from 64 KB, not 1 KB: a 1 KB input runs from the CPU cache, and that
 * alone puts a linear pass at 1,400-2,100× for 1,024× the input on this machine.
 */
const TARGET_NEUTRALISE_GROWTH_FROM_64KB = 24;
/** The three builders on 1 MB of hostile text, together. */
const TARGET_MS_AT_1MB = 3_000;
const SIZES = [1024, 64 * 1024, 1024 * 1024] as const;

/**
 * Hostile inputs, each repeated to the size: the worst case of a former quadratic pass
 * (dotted labels), schemes and `://` glued to words, and a mix of every fragment the
 * neutraliser handles (mentions, markdown, line syntax, numeric hosts, invisible and
 * bidi characters, lone surrogates, full-width forms).
 */
const INPUTS: Readonly<Record<string, string>> = {
  dotted_labels: 'a.',
  glued_schemes: '1https://a.b_http://0x7f000001/',
  mixed:
    '@everyone <@&1> [x](https://evil.com) **b** __u__ ||s|| `c` \n# h\n-# s\n> q\n' +
    '_https://2130706433/ 0177.0.0.1 javascript:x www.evil.com\u202E\u200B\uD800ｈｔｔｐｓ：／／ ',
};

const at = new Date('2026-01-01T00:00:00.000Z');

/**
 * `text_safety`: neutralise (Discord), the Discord builder (every body a notification
 * needs) and the ADF ticket description, each on 1 KB, 64 KB and 1 MB of each hostile
 * input. One line per input and size (median ms of a few runs), then one line per input
 * with the growths; ok when the 1 MB / 1 KB growth of the three is within TARGET_GROWTH,
 * neutralise's 1 MB / 64 KB within TARGET_NEUTRALISE_GROWTH_FROM_64KB, and the 1 MB total
 * within TARGET_MS_AT_1MB.
 */
export function benchTextSafety(): void {
  for (const [name, unit] of Object.entries(INPUTS)) {
    const totals = new Map<number, number>();
    const neutralised = new Map<number, number>();
    for (const size of SIZES) {
      const input = unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
      const runs = size >= 1024 * 1024 ? 5 : size >= 64 * 1024 ? 11 : 201;
      const neutraliseMs = timed(runs, () => neutralise(input, 'discord'));
      const discordMs = timed(runs, () =>
        buildDiscordMessages(
          notification(input),
          { username: 'opscrew', role_ids: {}, colors_by_severity: {} },
          at,
        ),
      );
      const adfMs = timed(runs, () =>
        buildTicketDescription(
          {
            idempotency_key: 'ticket:bench',
            incident_id: 'INC-20260101-001',
            summary: input,
            sections: [
              { label: 'Service', text: input },
              { label: 'Traces', text: input, href: 'https://signoz.example.com/services/x' },
              { label: 'Symptom', text: input },
            ],
            labels: [],
            severity: 'high',
            service: input,
          },
          'opscrew-idem-bench',
        ),
      );
      const total = neutraliseMs + discordMs + adfMs;
      totals.set(size, total);
      neutralised.set(size, neutraliseMs);
      emit({
        bench: 'text_safety',
        input: name,
        bytes: size,
        neutralise_ms: round(neutraliseMs, 3),
        discord_builder_ms: round(discordMs, 3),
        adf_builder_ms: round(adfMs, 3),
        total_ms: round(total, 3),
      });
    }
    const small = totals.get(SIZES[0]) ?? 0;
    const large = totals.get(SIZES[2]) ?? 0;
    const growth = small > 0 ? large / small : Infinity;
    const n1k = neutralised.get(SIZES[0]) ?? 0;
    const n64k = neutralised.get(SIZES[1]) ?? 0;
    const n1m = neutralised.get(SIZES[2]) ?? 0;
    const neutraliseGrowth = n64k > 0 ? n1m / n64k : Infinity;
    emit({
      bench: 'text_safety_growth',
      input: name,
      growth_1mb_over_1kb: round(growth, 1),
      target_growth: TARGET_GROWTH,
      neutralise_growth_1mb_over_1kb: n1k > 0 ? round(n1m / n1k, 1) : null,
      neutralise_growth_1mb_over_64kb: round(neutraliseGrowth, 2),
      target_neutralise_growth_1mb_over_64kb: TARGET_NEUTRALISE_GROWTH_FROM_64KB,
      ms_at_1mb: round(large, 1),
      target_ms_at_1mb: TARGET_MS_AT_1MB,
      ok:
        growth <= TARGET_GROWTH &&
        neutraliseGrowth <= TARGET_NEUTRALISE_GROWTH_FROM_64KB &&
        large <= TARGET_MS_AT_1MB,
    });
  }
}

function notification(text: string): Notification {
  return {
    idempotency_key: 'notify:bench',
    kind: 'incident',
    severity: 'high',
    title: text,
    text,
    fields: [
      { name: 'Service', value: text, inline: true },
      { name: text, value: text },
    ],
    incident_id: 'INC-20260101-001',
  };
}

/** Median wall time of `runs` calls, after one untimed warm-up call. */
function timed(runs: number, work: () => unknown): number {
  work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = nowMs();
    work();
    samples.push(nowMs() - started);
  }
  return median(samples);
}
