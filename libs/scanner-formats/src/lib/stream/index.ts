// The streaming JSON toolkit report parsers share (see README.md in this folder).
export { readJsonStream, parseJsonText } from './json-stream';
export type { ByteSource, JsonStreamItem, JsonStreamSpec } from './json-stream';
export { readWithContext, ContextNotYetRead } from './read-with-context';
export type { ContextualHandlers, ContextualSpec } from './read-with-context';
export { readJsonHead } from './json-head';
export type { JsonHead } from './json-head';
export type { JsonKind, PatternList } from './path-pattern';
