/**
 * The common view of a package in any of the formats the facade handles: one shape for a pacman
 * sync-database entry, an xbps repodata entry and an apt-rpm pkglist header, with the format's own
 * entry kept beside it (`raw`) for everything the common shape leaves out.
 */
import { RepokitError } from '../shared/errors.js';
import { vercmp } from '../alpm/vercmp.js';
import { cmpver } from '../xbps/cmpver.js';
import { compareEvr } from '../rpm/version.js';

/** The repository formats of the facade. */
export type RepositoryFormat = 'alpm' | 'xbps' | 'aptrpm';

/** How each format compares versions: alpm `vercmp`, xbps `xbps_cmpver`, rpm `rpmvercmp` over EVR. */
const COMPARATORS: Record<RepositoryFormat, (a: string, b: string) => -1 | 0 | 1> = {
  alpm: (a, b) => vercmp(a, b),
  xbps: (a, b) => cmpver(a, b),
  aptrpm: (a, b) => compareEvr(a, b),
};

/**
 * A package version, split into its parts, that compares with the rules of its format. `text` is
 * the version as the format writes it: `[epoch:]pkgver-pkgrel` (alpm), `version_revision` (xbps),
 * `[epoch:]version-release` (rpm).
 */
export class Version {
  readonly format: RepositoryFormat;
  readonly text: string;
  /** The epoch, or undefined when the version has none (xbps never has one). */
  readonly epoch: string | undefined;
  /** The upstream version: alpm `pkgver`, xbps version, rpm VERSION. */
  readonly version: string;
  /** alpm `pkgrel`, xbps revision, rpm RELEASE; undefined when absent. */
  readonly release: string | undefined;

  constructor(format: RepositoryFormat, text: string) {
    if (!(format in COMPARATORS)) throw new RepokitError('INVALID_ARGUMENT', `unknown format ${JSON.stringify(format)}`);
    if (typeof text !== 'string') throw new RepokitError('INVALID_ARGUMENT', 'a version must be a string');
    this.format = format;
    this.text = text;
    let rest = text;
    let epoch: string | undefined;
    if (format !== 'xbps') {
      const colon = rest.indexOf(':');
      if (colon >= 0 && /^\d*$/.test(rest.slice(0, colon))) {
        epoch = rest.slice(0, colon);
        rest = rest.slice(colon + 1);
      }
    }
    const sep = rest.lastIndexOf(format === 'xbps' ? '_' : '-');
    this.epoch = epoch;
    this.version = sep < 0 ? rest : rest.slice(0, sep);
    this.release = sep < 0 ? undefined : rest.slice(sep + 1);
  }

  /**
   * Compare with another version of the same format (a string is read as one): -1 when this is
   * older, 0 when equal, 1 when newer. INVALID_ARGUMENT for a version of another format.
   */
  compare(other: Version | string): -1 | 0 | 1 {
    const o = typeof other === 'string' ? new Version(this.format, other) : other;
    if (!(o instanceof Version) || o.format !== this.format) {
      throw new RepokitError('INVALID_ARGUMENT', `cannot compare a ${this.format} version with ${o instanceof Version ? `a ${o.format} one` : 'this value'}`);
    }
    return COMPARATORS[this.format](this.text, o.text);
  }

  /** The version as the format writes it (`1:2.0-3`, `2.0_1`, ...). */
  toString(): string {
    return this.text;
  }

  /** JSON has the version's text, so a `PackageView` serialises to plain data. */
  toJSON(): string {
    return this.text;
  }
}

/** A relation operator, as alpm, xbps and rpm share them. */
export type DependencyOperator = '<' | '<=' | '=' | '>=' | '>';

/** A dependency (or provision, conflict, replacement) in one shape for every format. */
export interface Dependency {
  name: string;
  /** Absent when any version matches (or the format's pattern has no single comparison). */
  operator?: DependencyOperator;
  version?: string;
  /** alpm optdepends' reason; for an xbps pattern that is not `name<op>version`, the pattern itself. */
  description?: string;
}

/** The relations of a package, by kind. */
export interface PackageDependencies {
  /** alpm `%DEPENDS%`, xbps `run_depends`, rpm REQUIRES (without `rpmlib(...)` and file paths kept). */
  depends: Dependency[];
  /** alpm `%OPTDEPENDS%`; rpm RECOMMENDS and SUGGESTS; none in xbps. */
  optional: Dependency[];
  /** alpm `%PROVIDES%`, xbps `provides`, rpm PROVIDES. */
  provides: Dependency[];
  /** alpm `%CONFLICTS%`, xbps `conflicts`, rpm CONFLICTS. */
  conflicts: Dependency[];
  /** alpm `%REPLACES%`, xbps `replaces`, rpm OBSOLETES. */
  replaces: Dependency[];
}

/** File checksums, lower-case hex, as far as the index records them. */
export interface PackageChecksums {
  sha256?: string;
  md5?: string;
  blake2b?: string;
}

/**
 * One package of a repository index, in the common shape. `raw` is the format's own entry:
 * alpm `SyncDbEntry` (`raw.entry` is the desc), xbps `XbpsIndexEntry` (`raw.dict` is the plist
 * dictionary), aptrpm the pkglist `Header`.
 */
export interface PackageView<Raw = unknown> {
  format: RepositoryFormat;
  name: string;
  version: Version;
  arch: string;
  /** One-line description (alpm `%DESC%`, xbps `short_desc`, rpm SUMMARY). */
  summary: string;
  /** Long description: rpm DESCRIPTION; alpm and xbps have none, so it repeats `summary`. */
  description: string;
  /** The package file's name in the repository (`%FILENAME%`, `<pkgver>.<arch>.xbps`, CRPMTAG_FILENAME). */
  fileName: string;
  /** Size of the package file in bytes, when the index records it. */
  size: number | undefined;
  /** Installed size in bytes, when the index records it. */
  installedSize: number | undefined;
  checksums: PackageChecksums;
  dependencies: PackageDependencies;
  /** aptrpm only: the component (`classic`); undefined for the other formats. */
  component?: string;
  raw: Raw;
}

/** Dependencies with every list empty. */
export function emptyDependencies(): PackageDependencies {
  return { depends: [], optional: [], provides: [], conflicts: [], replaces: [] };
}
