/** Error codes of the RPM codec (`repokit/rpm`). */
export const RPM_ERROR_CODES = {
  // RPM package framing
  RPM_BAD_LEAD: 'The 96-byte lead is missing or does not start with the RPM magic ED AB EE DB.',
  RPM_BAD_HEADER_MAGIC: 'A header does not start with the magic 8E AD E8 01 00 00 00 00.',
  RPM_BAD_PADDING: 'The padding after the signature header is not zero (strict profile).',
  RPM_SIZE_MISMATCH: 'The file size disagrees with the SIZE/LONGSIZE signature tag (strict profile).',
  // RPM header structure
  RPM_BAD_REGION: 'The region tag, its trailer or its bounds are inconsistent.',
  RPM_NO_REGION: 'The header has no region tag (legacy v3 layout) and the profile does not accept that.',
  RPM_BAD_ENTRY: 'An index entry has a bad tag, type, count, offset or alignment.',
  RPM_BAD_DATA: 'Entry data is not where or what the index says (overlap, missing NUL, bad packing).',
  RPM_BAD_TAG_TYPE: 'A known tag is stored with a type rpm does not accept for it.',
  RPM_BAD_SIGNATURE_TAG: 'A signature-header tag has the wrong type, size or content.',
  RPM_DUPLICATE_TAG: 'A tag occurs twice or tags are unsorted (strict profile).',
  RPM_BAD_STRING: 'A string is not valid UTF-8 or not printable where the profile requires it (strict profile).',
  RPM_INCONSISTENT: 'Related tags disagree (dependency triplets, file arrays, directory indexes).',
  RPM_MISSING_TAG: 'A tag required for the requested value is absent.',
  RPM_ENCODE: 'A header cannot be encoded from the given entries.',
  RPM_BAD_VERSION: 'A version or EVR string cannot be parsed.',
} as const;
