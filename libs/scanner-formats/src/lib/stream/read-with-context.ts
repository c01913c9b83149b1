import { FindingLimit } from '../core/finding-limit';
import type { FormatId } from '../core/types';
import {
  readJsonBatches,
  type ByteSource,
  type JsonStreamItem,
  type JsonStreamSpec,
} from './json-stream';
import type { JsonKind, PatternList } from './path-pattern';

/**
 * Thrown by an element handler when the context the element needs (its run's tool, its
 * target's name) has not been read yet. Only allowed while `contextComplete` is false.
 */
export class ContextNotYetRead extends Error {
  override readonly name = 'ContextNotYetRead';
}

export interface ContextualSpec<E extends string, C extends string, M extends string = never> {
  format: FormatId;
  /** The repeated things a report is made of (results, vulnerabilities): one or more outputs each. */
  elements: Readonly<Record<E, PatternList>>;
  /** Small values elements depend on (tool, target name): read whole, in document order. */
  context: Readonly<Record<C, PatternList>>;
  /** Paths whose presence (and JSON type) the context handler hears of, without their value. */
  mark?: Readonly<Record<M, PatternList>>;
  /**
   * The format writes its context after its elements (Snyk's project fields follow the project's
   * issues): read the context in a pass of its own before the elements, instead of finding out.
   */
  contextFirst?: boolean;
  expect?: Readonly<Record<string, JsonKind | readonly JsonKind[]>>;
  maxValueBytes?: number;
}

export interface ContextualHandlers<
  E extends string,
  C extends string,
  T,
  M extends string = never,
> {
  /**
   * Takes one context value (or mark). When the document is read in several passes, context
   * read in the first pass is delivered again in the second: keep the last (or first) one.
   */
  context(item: JsonStreamItem<C | M>): void;
  /**
   * Maps one element to its outputs. When `contextComplete` is false and the element's context
   * is missing, throw ContextNotYetRead; when true, missing context is really missing.
   */
  element(item: JsonStreamItem<E>, contextComplete: boolean): readonly T[];
}

/**
 * Streams elements that need context found elsewhere in the document. Tools write the context
 * first (the SARIF run's `tool` before its `results`, a Trivy result's `Target` before its
 * vulnerabilities), so one pass is the rule. When an element comes before its context (a
 * key-sorted document, or a format that writes its context last), the reader makes a second
 * pass for the context alone and a third for the elements not yet delivered, so memory stays
 * bounded either way. Values are handled a chunk at a time: no asynchronous step per value.
 */
export async function* readWithContext<
  E extends string,
  C extends string,
  T,
  M extends string = never,
>(
  source: ByteSource,
  spec: ContextualSpec<E, C, M>,
  handlers: ContextualHandlers<E, C, T, M>,
  limit: { maxFindings?: number } = {},
): AsyncGenerator<T> {
  const base = {
    format: spec.format,
    ...(spec.expect ? { expect: spec.expect } : {}),
    ...(spec.maxValueBytes ? { maxValueBytes: spec.maxValueBytes } : {}),
  };
  const findings = new FindingLimit(spec.format, limit.maxFindings);
  let delivered = 0;

  if (!spec.contextFirst) {
    const contextNames = new Set<string>(Object.keys(spec.context));
    if (spec.mark) for (const name of Object.keys(spec.mark)) contextNames.add(name);
    const everything: JsonStreamSpec<E | C, M> = {
      ...base,
      read: { ...spec.context, ...spec.elements } as Record<E | C, PatternList>,
      ...(spec.mark ? { mark: spec.mark } : {}),
    };
    let outOfOrder = false;
    passes: for await (const batch of readJsonBatches(source, everything)) {
      for (const item of batch) {
        if (contextNames.has(item.name)) {
          handlers.context(item as JsonStreamItem<C | M>);
          continue;
        }
        let outputs: readonly T[];
        try {
          outputs = handlers.element(item as JsonStreamItem<E>, false);
        } catch (error) {
          if (!(error instanceof ContextNotYetRead)) throw error;
          outOfOrder = true;
          break passes;
        }
        delivered++;
        for (const output of outputs) {
          findings.take();
          yield output;
        }
      }
    }
    if (!outOfOrder) return;
  }

  const contextOnly: JsonStreamSpec<C, M> = {
    ...base,
    read: spec.context,
    ...(spec.mark ? { mark: spec.mark } : {}),
  };
  for await (const batch of readJsonBatches(source, contextOnly)) {
    for (const item of batch) handlers.context(item);
  }

  const elementsOnly: JsonStreamSpec<E> = { ...base, read: spec.elements };
  let seen = 0;
  for await (const batch of readJsonBatches(source, elementsOnly)) {
    for (const item of batch) {
      if (seen++ < delivered) continue;
      for (const output of handlers.element(item, true)) {
        findings.take();
        yield output;
      }
    }
  }
}
