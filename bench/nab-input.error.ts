/**
 * NAB input the bench cannot use (a corpus or result file); the message names the file and
 * what is wrong.
 */
export class NabInputError extends Error {}
