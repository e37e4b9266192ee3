import { type PathSegment } from '../load/config-path';

/** A problem at a path of the merged configuration, before it is traced back to its file. */
export interface PathIssue {
  readonly segments: readonly PathSegment[];
  readonly message: string;
}
