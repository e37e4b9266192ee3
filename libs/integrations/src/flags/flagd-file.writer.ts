import { errorMessage } from '@opscrew/contracts';
import { type FileAccessPolicy, readablePath, writeFileAtomic } from '@opscrew/sandbox';
import { readFile } from 'node:fs/promises';
import { resolveFlagKey } from './flag-aliases';
import { bundledFlagFile } from './flagd-files';
import { type FlagdSchemaValidator } from './flagd-schema.validator';
import { type FlagChange, FlagError, type FlagsPort } from './flags.port';

export interface FlagdFileWriterOptions {
  /** The flag file flagd (or the demo shop) watches. */
  readonly path: string;
  /** Copied to `path` when it does not exist yet; default the demo's 3.0 file. */
  readonly template?: string;
  readonly validator?: FlagdSchemaValidator;
  /**
   * demo-controller's filesystem sandbox, checked before the flag file is
   * read and before it is replaced (list its folder in both). The template
   * and flagd's schemas ship with the program and are not checked. Absent
   * only in tests and tools that are not agents.
   */
  readonly files?: FileAccessPolicy;
}

/**
 * A flag file larger than 1 MiB is not a flag file (the demo's is 4 KiB):
 * refuse it rather than parse whatever was put there.
 */
const MAX_FLAG_FILE_BYTES = 1024 * 1024;

type Json = Record<string, unknown>;

/**
 * The flags port over flagd's JSON flag file. A change sets the flag's
 * `defaultVariant` (names: the demo's 3.0 names or their 1.x aliases), checks
 * the WHOLE document against flagd's schema, and only then replaces the file
 * atomically (temp file in the same folder + rename: flagd polls the file's
 * mtime every second and must never read half a file). Changes from this
 * process are serialised so two never overwrite each other.
 *
 * A flag whose targeting is one `if` choosing between variant names (the 3.0
 * file's `productCatalogFailure`: one product id) has its then-branch set to
 * the variant too: flagd applies targeting before the default, so the
 * default alone would not switch it.
 */
export class FlagdFileWriter implements FlagsPort {
  private readonly template: string;
  private validator: FlagdSchemaValidator | null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: FlagdFileWriterOptions) {
    this.template = options.template ?? bundledFlagFile();
    // Compiled on first use: a missing schema fails flag changes (clearly), not the agent's boot.
    this.validator = options.validator ?? null;
  }

  get path(): string {
    return this.options.path;
  }

  setVariant(flag: string, variant: string): Promise<FlagChange> {
    const next = this.queue.then(() => this.apply(flag, variant));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async describe(
    flag: string,
  ): Promise<{ flag: string; variants: string[]; default_variant: string | null }> {
    const { document, source } = await this.load();
    const { key, definition } = this.find(document, flag, source);
    const current = definition['defaultVariant'];
    return {
      flag: key,
      variants: Object.keys(variantsOf(definition, key, source)),
      default_variant: typeof current === 'string' ? current : null,
    };
  }

  private async apply(flag: string, variant: string): Promise<FlagChange> {
    const file = this.options.path;
    const { document, source } = await this.load();
    const { key, definition } = this.find(document, flag, source);
    const variants = variantsOf(definition, key, source);
    if (!Object.prototype.hasOwnProperty.call(variants, variant))
      throw new FlagError(
        `flag "${key}" in ${source} has no variant "${variant}" (valid: ${Object.keys(variants).join(', ')})`,
        file,
      );
    const previous = definition['defaultVariant'];
    definition['defaultVariant'] = variant;
    retarget(definition, variants);
    const problems = (await this.schema()).validate(document);
    if (problems.length > 0)
      throw new FlagError(
        `${file}: not written, the flag file would not be valid for flagd: ${problems.join('; ')}`,
        file,
      );
    await writeAtomically(file, `${JSON.stringify(document, null, 2)}\n`, this.options.files);
    return {
      flag: key,
      previous_variant: typeof previous === 'string' ? previous : null,
      variant,
      value: variants[variant],
      file,
    };
  }

  /** With ajv (~60 modules) loaded here, on the first change, not when an agent starts. */
  private async schema(): Promise<FlagdSchemaValidator> {
    if (this.validator === null) {
      try {
        const { FlagdSchemaValidator } = await import('./flagd-schema.validator');
        this.validator = new FlagdSchemaValidator();
      } catch (error) {
        throw new FlagError(
          `cannot load flagd's schemas (deploy/flagd/schemas): ${errorMessage(error)}`,
          this.options.path,
          { cause: error },
        );
      }
    }
    return this.validator;
  }

  /** The current document, or the template's when the file does not exist yet. */
  private async load(): Promise<{ document: Json; source: string }> {
    let text: string;
    let source = this.options.path;
    // Outside the try: a refusal is not "no flag file yet" (which would fall back to the template).
    const readable = readablePath(this.options.files, source);
    try {
      text = await readFile(readable, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new FlagError(`cannot read ${source}: ${errorMessage(error)}`, this.options.path, {
          cause: error,
        });
      source = this.template;
      try {
        text = await readFile(source, 'utf8');
      } catch (templateError) {
        throw new FlagError(
          `${this.options.path} does not exist and its template ${source} cannot be read: ${errorMessage(templateError)}`,
          this.options.path,
          { cause: templateError },
        );
      }
    }
    if (Buffer.byteLength(text) > MAX_FLAG_FILE_BYTES)
      throw new FlagError(
        `${source} is larger than ${MAX_FLAG_FILE_BYTES} bytes: not a flag file`,
        this.options.path,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new FlagError(
        `${source} is not valid JSON: ${errorMessage(error)}`,
        this.options.path,
        {
          cause: error,
        },
      );
    }
    if (!isJson(parsed))
      throw new FlagError(
        `${source}: a flag file is a JSON object with "flags"`,
        this.options.path,
      );
    return { document: parsed, source };
  }

  private find(
    document: Json,
    requested: string,
    source: string,
  ): { key: string; definition: Json } {
    const flags = document['flags'];
    const entries = new Map<string, Json>();
    if (isJson(flags)) {
      for (const [key, value] of Object.entries(flags)) if (isJson(value)) entries.set(key, value);
    } else if (Array.isArray(flags)) {
      // flagd's array form: [{key, state, variants, defaultVariant}, …].
      for (const value of flags)
        if (isJson(value) && typeof value['key'] === 'string') entries.set(value['key'], value);
    } else {
      throw new FlagError(`${source}: has no "flags" object`, this.options.path);
    }
    const key = resolveFlagKey(requested, (name) => entries.has(name));
    const definition = key === undefined ? undefined : entries.get(key);
    if (key === undefined || definition === undefined)
      throw new FlagError(
        `unknown flag "${requested}" in ${source} (known: ${[...entries.keys()].join(', ')})`,
        this.options.path,
      );
    return { key, definition };
  }
}

function variantsOf(definition: Json, key: string, source: string): Json {
  const variants = definition['variants'];
  if (!isJson(variants) || Object.keys(variants).length === 0)
    throw new FlagError(`flag "${key}" in ${source} has no variants`, source);
  return variants;
}

/** The demo's one-product rule: `{"if": [cond, "<variant>", "<variant>"]}` follows the new default. */
function retarget(definition: Json, variants: Json): void {
  const targeting = definition['targeting'];
  if (!isJson(targeting)) return;
  const rule = targeting['if'];
  if (!Array.isArray(rule) || rule.length !== 3) return;
  const [, then, otherwise] = rule as unknown[];
  const isVariant = (value: unknown): value is string =>
    typeof value === 'string' && Object.prototype.hasOwnProperty.call(variants, value);
  if (isVariant(then) && isVariant(otherwise)) rule[1] = definition['defaultVariant'];
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function writeAtomically(
  file: string,
  content: string,
  files: FileAccessPolicy | undefined,
): Promise<void> {
  try {
    await writeFileAtomic(files, file, content);
  } catch (error) {
    throw new FlagError(`cannot write ${file}: ${errorMessage(error)}`, file, {
      cause: error,
    });
  }
}
