// Types of layers.js (CommonJS so eslint.config.mjs and Jest load it without a build).
export interface Layer {
  readonly libs: readonly string[];
  readonly why: string;
}
export interface RestrictedPathsOptions {
  readonly basePath: string;
  readonly zones: readonly {
    readonly target: string | readonly string[];
    readonly from: string | readonly string[];
    /** Paths relative to `from` that stay allowed (an app's public entry point). */
    readonly except?: readonly string[];
    readonly message: string;
  }[];
}
export const LAYERS: readonly Layer[];
export const SPEC_FILES: readonly string[];
/** Libs of pure domain code: no I/O module, no clock, no randomness in production files. */
export const PURE_LIBS: readonly string[];
/** The production files of PURE_LIBS, for eslint `files` and `ignores`. */
export function pureFiles(): { files: string[]; ignores: string[] };
/** The eslint rules PURE_LIBS production files are held to. */
export function pureRules(): Record<string, unknown[]>;
/** Specs and testing/ folders of apps: linted with appTestZones. */
export const APP_TEST_FILES: readonly string[];
/** The demo shop's folder name: the app that imports nothing of the crew. */
export const SHOP_APP: string;
/** testing/ folders of libs and apps: test doubles, which may import @opscrew/testing. */
export const TEST_SUPPORT_FILES: readonly string[];
export function layerOf(root: string): Map<string, number>;
export function layerZones(
  root: string,
  options?: { readonly testSupport?: boolean },
): RestrictedPathsOptions;
export function appZones(root: string): RestrictedPathsOptions;
export function appTestZones(root: string): RestrictedPathsOptions;
export function appsOf(root: string): string[];
export function specZones(root: string): RestrictedPathsOptions;
