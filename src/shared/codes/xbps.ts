/** Error codes of the XBPS codecs (`repokit/xbps`). Each needs a section in docs/errors.md. */
export const XBPS_ERROR_CODES = {
  XBPS_PLIST_SYNTAX: 'The text is not a well-formed property list in the XML form proplib reads.',
  XBPS_PLIST_UNSUPPORTED: 'The property list uses a construct proplib does not read.',
  XBPS_PLIST_BAD_ENCODING: 'The property list is not valid UTF-8 or has a NUL byte inside the document.',
  XBPS_PLIST_BAD_INTEGER: 'An integer element is not a 64-bit number in a form proplib reads.',
  XBPS_PLIST_BAD_DATA: 'A data element is empty or not valid base64.',
  XBPS_PLIST_BAD_KEY: 'A dictionary key is longer than the 128 bytes proplib allows.',
  XBPS_PLIST_WRONG_TYPE: 'A property list value does not have the type the caller asked for.',
  XBPS_PLIST_UNWRITABLE: 'A value cannot be written as a proplib property list.',
  XBPS_BAD_PROPS: 'A props.plist or files.plist dictionary lacks a required key or has a key of the wrong type.',
  XBPS_BAD_PKGVER: 'A string is not a valid pkgver (name-version_revision).',
} as const;
