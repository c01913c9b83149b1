import { compareNumericText, type Version, type VersionScheme } from './version';

// Container image tags: `18.19.0-alpine3.19`, `3.12-slim`, `17-jdk`. A tag only orders against
// tags of the same variant (`-alpine…` never becomes `-slim`) and the same precision (`3.12`
// is a moving tag, `3.12.1` a pinned one). Tags without a leading number (`latest`,
// `bookworm`) have no order at all, so they are never chosen as a fix.
const TAG = /^v?(\d+(?:\.\d+){0,3})(?:([-_.+]?[A-Za-z][A-Za-z0-9._-]*|[-_][0-9][A-Za-z0-9._-]*))?$/;

class OciTag implements Version {
  constructor(
    readonly text: string,
    private readonly numbers: readonly string[],
    private readonly variant: string,
    private readonly variantNumbers: readonly string[],
  ) {}

  get prerelease(): boolean {
    return /(^|[-_.])(rc|alpha|beta|pre|dev|snapshot)/i.test(this.variant);
  }

  get series(): string {
    return this.numbers[0]!.replace(/^0+(?=\d)/, '');
  }

  comparableWith(other: Version): boolean {
    return (
      other instanceof OciTag &&
      other.variant === this.variant &&
      other.numbers.length === this.numbers.length
    );
  }

  compareTo(other: Version): number {
    const that = other as OciTag;
    for (const [a, b] of [
      [this.numbers, that.numbers],
      [this.variantNumbers, that.variantNumbers],
    ] as const) {
      for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
        const order = compareNumericText(a[i] ?? '0', b[i] ?? '0');
        if (order !== 0) return order;
      }
    }
    return 0;
  }
}

export const ociTagScheme: VersionScheme = {
  name: 'oci-tag',
  parse(text) {
    const match = TAG.exec(text.trim());
    if (!match) return undefined;
    const suffix = match[2] ?? '';
    return new OciTag(
      text,
      match[1]!.split('.'),
      suffix.replace(/\d+/g, '#'),
      suffix.match(/\d+/g) ?? [],
    );
  },
};
