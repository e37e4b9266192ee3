/**
 * Atlassian Document Format, the subset we write: Jira Cloud REST v3 takes
 * descriptions and comments as ADF (the OpenAPI leaves it untyped, so
 * {@link checkAdf} validates the shape). Text never carries markup: links are
 * link marks on text nodes, from trusted hrefs only.
 */
export type AdfMark =
  | { readonly type: 'strong' | 'em' | 'code' }
  | { readonly type: 'link'; readonly attrs: { readonly href: string } };

export interface AdfText {
  readonly type: 'text';
  readonly text: string;
  readonly marks?: readonly AdfMark[];
}

export interface AdfHardBreak {
  readonly type: 'hardBreak';
}

export type AdfInline = AdfText | AdfHardBreak;

export interface AdfParagraph {
  readonly type: 'paragraph';
  readonly content: readonly AdfInline[];
}

export interface AdfHeading {
  readonly type: 'heading';
  readonly attrs: { readonly level: 1 | 2 | 3 | 4 | 5 | 6 };
  readonly content: readonly AdfInline[];
}

export type AdfBlock = AdfParagraph | AdfHeading;

export interface AdfDoc {
  readonly type: 'doc';
  readonly version: 1;
  readonly content: readonly AdfBlock[];
}
