import { scrubSecrets } from '@opscrew/contracts';
import { type Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';

/** Requests polled by machines or self-refreshing pages: not logged one by one. */
const QUIET_PATHS: ReadonlySet<string> = new Set(['/health', '/', '/status.json']);

/**
 * JSON lines on stdout, one per event, with the agent in every line so a
 * shared log pipeline (or `opscrew start all`) can tell them apart.
 * Credentials in request headers never reach a log, and every line goes through
 * the secret scrubber as it is written (`hooks.streamWrite`): the finished JSON
 * line, so the message, bound fields, objects and an error's message and stack
 * are all covered, whatever serializer produced them. The scrubber keeps JSON
 * valid (its replacements never cut an escape or a quote).
 */
export function loggerOptions(agent: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { agent, pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      hooks: { streamWrite: scrubSecrets },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
        censor: '***',
      },
      // Probes hit /health every few seconds, and atlas's status page (/, /status.json) reloads
      // itself every 10 s in every open browser: logging each would drown everything else.
      autoLogging: { ignore: (req) => QUIET_PATHS.has(req.url ?? '') },
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
