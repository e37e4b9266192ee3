import { z } from 'zod';

/** Discord's interaction types we answer: PING and a slash command. */
export const INTERACTION_PING = 1;
export const INTERACTION_APPLICATION_COMMAND = 2;

/** Discord's response types: PONG, an answer, and "thinking…" (answer later). */
export const RESPONSE_PONG = 1;
export const RESPONSE_MESSAGE = 4;
export const RESPONSE_DEFERRED_MESSAGE = 5;
/** Message flag: only the caller sees it. */
export const FLAG_EPHEMERAL = 64;

const snowflake = z.string().regex(/^[0-9]{1,20}$/, 'must be a Discord id (digits)');

const user = z.object({
  id: snowflake,
  username: z.string().min(1).max(64),
  global_name: z.string().max(64).nullish(),
});

/** One option as Discord sends it: our commands take strings only (type 3). */
const option = z.object({
  name: z.string().min(1).max(32),
  type: z.number().int(),
  value: z.union([z.string().max(6000), z.number(), z.boolean()]).optional(),
});

/**
 * What we read of an interaction. Discord sends many more fields (guild, channel, locale,
 * entitlements…) and adds new ones: unknown fields are ignored, not refused, and only what
 * the command needs is checked.
 */
export const DiscordInteraction = z.object({
  type: z.number().int(),
  id: snowflake,
  application_id: snowflake,
  token: z.string().min(1).max(1000),
  data: z
    .object({
      name: z.string().min(1).max(32),
      options: z.array(option).max(25).optional(),
    })
    .optional(),
  member: z.object({ user }).optional(),
  user: user.optional(),
});
export type DiscordInteraction = z.infer<typeof DiscordInteraction>;

/** A PING carries less than a command: only its type is needed to answer it. */
export const DiscordPing = z.object({ type: z.literal(INTERACTION_PING) });

/** zod's issues as `data.options.0.name: message; …` (the field, then what is wrong). */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}
