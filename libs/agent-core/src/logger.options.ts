import { type Params } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';

/**
 * JSON lines on stdout, one per event, with the agent in every line so a
 * shared log pipeline (or `opscrew start all`) can tell them apart.
 * Credentials in request headers never reach a log.
 */
export function loggerOptions(agent: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { agent, pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'],
        censor: '***',
      },
      // Probes hit /health every few seconds: logging each would drown everything else.
      autoLogging: { ignore: (req) => req.url === '/health' },
      serializers: {
        req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
