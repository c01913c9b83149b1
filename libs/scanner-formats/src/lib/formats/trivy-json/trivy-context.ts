import { ReportParseError } from '../../core/errors';
import { type JsonPathSegment, jsonPointer } from '../../core/json-pointer';
import type { JsonStreamItem } from '../../stream/json-stream';
import { ContextNotYetRead } from '../../stream/read-with-context';

/** A result (`Results[i]`): what was scanned and how. */
export interface TrivyTarget {
  target: string | undefined;
  class: string | undefined;
  type: string | undefined;
}

/** A Kubernetes workload or resource of a cluster report (`Resources[i]`). */
export interface TrivyResource {
  namespace: string | undefined;
  kind: string | undefined;
  name: string | undefined;
}

/** Where a finding sits: its result, and for cluster reports its Kubernetes resource. */
export interface TrivyPlace {
  target: TrivyTarget;
  resource: TrivyResource | undefined;
  /** `namespace/Kind/name` of the resource, for locations and identities. */
  resourceRef: string | undefined;
  /** Tags every finding of the result carries: its class and type. */
  tags: string[];
}

export type TrivyContextName =
  | 'target'
  | 'targetClass'
  | 'targetType'
  | 'resourceNamespace'
  | 'resourceKind'
  | 'resourceName'
  | 'trivyVersion';

function samePrefix(
  a: readonly JsonPathSegment[],
  b: readonly JsonPathSegment[],
  length: number,
): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function key(path: readonly JsonPathSegment[], length: number): string {
  return path.slice(0, length).join('/');
}

/**
 * The small values Trivy findings depend on, keyed by the path of the object that holds them,
 * so that a finding at `Results/3/Vulnerabilities/7` finds `Results/3/Target`.
 */
export class TrivyContext {
  private readonly targets = new Map<string, TrivyTarget>();
  private readonly resources = new Map<string, TrivyResource>();
  private readonly places = new Map<string, TrivyPlace>();
  private lastPath: readonly JsonPathSegment[] | undefined;
  private lastPlace: TrivyPlace | undefined;
  trivyVersion: string | undefined;

  accept(item: JsonStreamItem<TrivyContextName>): void {
    const value = item.value;
    if (typeof value !== 'string') {
      if (value === null || value === undefined) return;
      const pointer = jsonPointer(item.path);
      throw new ReportParseError('trivy-json', `expected a string, found ${item.kind}`, {
        pointer,
      });
    }
    const holder = item.path.length - 1;
    // Places are derived from this context; one read late must not leave a stale place behind.
    this.places.clear();
    this.lastPath = undefined;
    switch (item.name) {
      case 'target':
        this.target(key(item.path, holder)).target = value;
        return;
      case 'targetClass':
        this.target(key(item.path, holder)).class = value;
        return;
      case 'targetType':
        this.target(key(item.path, holder)).type = value;
        return;
      case 'resourceNamespace':
        this.resource(key(item.path, holder)).namespace = value;
        return;
      case 'resourceKind':
        this.resource(key(item.path, holder)).kind = value;
        return;
      case 'resourceName':
        this.resource(key(item.path, holder)).name = value;
        return;
      case 'trivyVersion':
        this.trivyVersion = value;
        return;
    }
  }

  private target(at: string): TrivyTarget {
    let target = this.targets.get(at);
    if (target === undefined) {
      target = { target: undefined, class: undefined, type: undefined };
      this.targets.set(at, target);
    }
    return target;
  }

  private resource(at: string): TrivyResource {
    let resource = this.resources.get(at);
    if (resource === undefined) {
      resource = { namespace: undefined, kind: undefined, name: undefined };
      this.resources.set(at, resource);
    }
    return resource;
  }

  /**
   * The place of a finding at `path` (…/Results/i/Vulnerabilities/j). Trivy writes `Target`
   * before a result's findings and `Name` before a resource's results; if they are not there
   * yet the document is in another key order and the context must be read first. Places are
   * shared by the findings of one result.
   */
  placeOf(path: readonly JsonPathSegment[], contextComplete: boolean): TrivyPlace {
    const resultLength = path.length - 2;
    if (
      this.lastPath !== undefined &&
      this.lastPlace !== undefined &&
      samePrefix(this.lastPath, path, resultLength)
    ) {
      return this.lastPlace;
    }
    const resultKey = key(path, resultLength);
    const cached = this.places.get(resultKey);
    if (cached !== undefined) {
      this.lastPath = path;
      this.lastPlace = cached;
      return cached;
    }
    const target = this.targets.get(resultKey);
    if (target?.target === undefined && !contextComplete) throw new ContextNotYetRead();
    // Cluster reports nest results in resources: Resources/k/Results/i/...
    const resource =
      resultLength >= 3 ? this.resources.get(key(path, resultLength - 2)) : undefined;
    if (resultLength >= 3 && resource?.name === undefined && !contextComplete) {
      throw new ContextNotYetRead();
    }
    const known = target ?? { target: undefined, class: undefined, type: undefined };
    const place: TrivyPlace = {
      target: known,
      resource,
      resourceRef:
        resource === undefined
          ? undefined
          : [resource.namespace, resource.kind, resource.name].filter((part) => part).join('/'),
      tags: [known.class, known.type]
        .filter((tag): tag is string => tag !== undefined)
        .map((tag) => tag.slice(0, 100)),
    };
    this.places.set(resultKey, place);
    this.lastPath = path;
    this.lastPlace = place;
    return place;
  }
}
