import type { ReportErrorLocation } from '../../core/errors';
import type { XmlElement } from './xml-stream';

export function childElement(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}

export function childElements(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

/** Trimmed text of the element; `undefined` when it is empty. */
export function elementText(element: XmlElement | undefined): string | undefined {
  if (element === undefined) return undefined;
  const text = element.text.trim();
  return text === '' ? undefined : text;
}

/** Trimmed text of the first child with that name; `undefined` when absent or empty. */
export function childText(element: XmlElement, name: string): string | undefined {
  return elementText(childElement(element, name));
}

export function elementLocation(element: XmlElement): ReportErrorLocation {
  return { line: element.line, column: element.column };
}
