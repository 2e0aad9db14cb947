/** Error codes of XBPS packages and repodata (`repokit/xbps`). Each needs a section in docs/errors.md. */
export const XBPS_REPO_ERROR_CODES = {
  XBPS_BAD_PACKAGE: 'A .xbps package lacks ./props.plist or ./files.plist, or they are not plist dictionaries.',
  XBPS_BAD_REPODATA: 'A repodata file or legacy index is not in any layout xbps ever wrote.',
  XBPS_BAD_ENTRY: 'A package entry lacks a usable pkgver or architecture, or a field has the wrong type.',
  XBPS_BAD_META: 'The index-meta.plist of a signed repository lacks signature-by, public-key-size or public-key.',
  XBPS_BAD_KEY: 'An RSA key given for signing or verification cannot be used.',
  XBPS_NOT_INDEXABLE: 'A package cannot be added to this repository (another architecture or directory).',
} as const;
