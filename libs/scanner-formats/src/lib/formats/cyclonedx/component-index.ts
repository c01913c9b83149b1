import { isJsonObject, type JsonObject, text } from '../../core/json-value';

/** What a vulnerability needs to know about the component one of its `affects[].ref` names. */
export interface IndexedComponent {
  name: string;
  group: string | undefined;
  version: string | undefined;
  purl: string | undefined;
  /** Where the producer found it, from evidence or producer properties. */
  path: string | undefined;
}

/** Producer properties that hold the file a component was found in. */
const PATH_PROPERTIES = new Set([
  'aquasecurity:trivy:FilePath',
  'syft:location:0:path',
  'cdx:npm:package:path',
]);

/**
 * Every component with a `bom-ref`, at any depth (`components[].components[]`, and
 * `metadata.component` with its own sub-components), filled one top-level component at a time
 * as the BOM streams past. bom-refs are unique in a valid BOM; in one that repeats them, a later
 * top-level component's tree wins over an earlier one's, within a tree the outermost and last
 * listed wins, and `metadata.component`'s tree comes last.
 */
export class ComponentIndex {
  private readonly components = new Map<string, IndexedComponent>();
  private readonly metadata = new Map<string, IndexedComponent>();

  /** One element of the BOM's top-level `components[]`, with its sub-components. */
  addComponent(component: unknown): void {
    for (const [ref, indexed] of indexTree(component)) this.components.set(ref, indexed);
  }

  /** The BOM's `metadata.component` (the thing the BOM describes), with its sub-components. */
  setMetadataComponent(component: unknown): void {
    this.metadata.clear();
    for (const [ref, indexed] of indexTree(component)) this.metadata.set(ref, indexed);
  }

  get(ref: string): IndexedComponent | undefined {
    return this.components.get(ref) ?? this.metadata.get(ref);
  }
}

/** A component tree, walked iteratively so a deep tree cannot overflow the stack. */
function indexTree(root: unknown): Map<string, IndexedComponent> {
  const index = new Map<string, IndexedComponent>();
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const component = pending.pop();
    if (!isJsonObject(component)) continue;
    if (Array.isArray(component['components'])) pending.push(...component['components']);
    const ref = text(component['bom-ref']);
    const name = text(component['name']);
    if (ref === undefined || name === undefined || index.has(ref)) continue;
    index.set(ref, {
      name,
      group: text(component['group']),
      version: text(component['version']),
      purl: text(component['purl']),
      path: componentPath(component),
    });
  }
  return index;
}

function componentPath(component: JsonObject): string | undefined {
  const evidence = component['evidence'];
  if (isJsonObject(evidence) && Array.isArray(evidence['occurrences'])) {
    for (const occurrence of evidence['occurrences']) {
      const location = isJsonObject(occurrence) ? text(occurrence['location']) : undefined;
      if (location !== undefined) return location;
    }
  }
  const properties = component['properties'];
  if (!Array.isArray(properties)) return undefined;
  for (const property of properties) {
    if (isJsonObject(property) && PATH_PROPERTIES.has(text(property['name']) ?? '')) {
      const value = text(property['value']);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}
