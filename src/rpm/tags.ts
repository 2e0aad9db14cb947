/**
 * RPM tag tables: numbers, names and on-disk types of main-header and signature-header tags, plus
 * the dependency, file and hash-algorithm constants that go with them.
 *
 * The facts (numbers, names, declared types) follow rpm 6.x's public headers
 * (`include/rpm/rpmtag.h`, `rpmds.h`, `rpmfiles.h`, `rpmpgp.h`); see docs reference `rpm.md` §3.
 * Older names rpm used for the same numbers are kept as aliases so names from older tools resolve.
 */
import { RpmType } from './types.js';

/** What repokit knows about one tag. */
export interface TagInfo {
  /** Tag number. */
  readonly tag: number;
  /** rpm's name without the `RPMTAG_` / `RPMSIGTAG_` prefix, e.g. `'NAME'`, `'FILEDIGESTS'`, `'SHA256'`. */
  readonly name: string;
  /**
   * The type rpm expects on disk, or `null` for tags rpm declares internal or unimplemented, or
   * declares without a type; rpm does not type-check those.
   */
  readonly type: RpmType | null;
  /**
   * True when the tag holds a list: declared as an array, or of type STRING_ARRAY or I18NSTRING
   * (one string per locale). Also set for internal tags whose declaration is an array.
   */
  readonly array: boolean;
  /** Set when rpm computes the tag on request; such tags are never stored in package files. */
  readonly extension?: true;
  /** Other names for the same number (short forms, plural forms, names older rpm versions used). */
  readonly aliases?: readonly string[];
}

/*
 * Table rows: [number, name, declaration, ...aliases].
 *
 * The declaration uses the letters of rpm's header comments: c CHAR, h INT16, i INT32, l INT64,
 * s STRING, x BIN, s[] STRING_ARRAY, s{} I18NSTRING, and a trailing [] for arrays of numbers.
 * A trailing * marks an extension (computed) tag. Parentheses mark a tag rpm keeps untyped
 * (internal, unimplemented or undeclared); the letters inside, if any, are what the declaration
 * says, and only decide `array`.
 */
const DECLS = {
  c: [RpmType.CHAR, false],
  'c[]': [RpmType.CHAR, true],
  h: [RpmType.INT16, false],
  'h[]': [RpmType.INT16, true],
  i: [RpmType.INT32, false],
  'i[]': [RpmType.INT32, true],
  l: [RpmType.INT64, false],
  'l[]': [RpmType.INT64, true],
  s: [RpmType.STRING, false],
  's[]': [RpmType.STRING_ARRAY, true],
  's{}': [RpmType.I18NSTRING, true],
  x: [RpmType.BIN, false],
} as const satisfies Record<string, readonly [RpmType, boolean]>;

type BaseDecl = keyof typeof DECLS;
type Decl = BaseDecl | `${BaseDecl}*` | `(${BaseDecl})` | '()';
type Row = readonly [tag: number, name: string, decl: Decl, ...aliases: string[]];

const MAIN_ROWS = [
  // Header-private tags: the three region tags, the region list and the locale table.
  [61, 'HEADERIMAGE', '()'],
  [62, 'HEADERSIGNATURES', '()'],
  [63, 'HEADERIMMUTABLE', 'x'],
  [64, 'HEADERREGIONS', '()'],
  [100, 'HEADERI18NTABLE', 's[]'],
  // Signature-header tags as rpm files them in the main namespace after reading a package:
  // signature tags 1000-1006 appear as 257-263, those from 264 up keep their number, PAYLOADSIZE
  // becomes ARCHIVESIZE 1046 and the IMA tags 274/275 become FILESIGNATURES/FILESIGNATURELENGTH
  // 5090/5091 (so 274 and 275 stay free here; 272 is unused in both namespaces).
  [257, 'SIGSIZE', 'i'],
  [258, 'SIGLEMD5_1', '()'],
  [259, 'SIGPGP', 'x'],
  [260, 'SIGLEMD5_2', '(x)'],
  [261, 'SIGMD5', 'x', 'PKGID'],
  [262, 'SIGGPG', 'x'],
  [263, 'SIGPGP5', '()'],
  [264, 'BADSHA1_1', '()'],
  [265, 'BADSHA1_2', '()'],
  [266, 'PUBKEYS', 's[]'],
  [267, 'DSAHEADER', 'x'],
  [268, 'RSAHEADER', 'x'],
  [269, 'SHA1HEADER', 's', 'HDRID'],
  [270, 'LONGSIGSIZE', 'l'],
  [271, 'LONGARCHIVESIZE', 'l'],
  [273, 'SHA256HEADER', 's'],
  [276, 'VERITYSIGNATURES', 's[]'],
  [277, 'VERITYSIGNATUREALGO', 'i'],
  [278, 'OPENPGP', 's[]'],
  [279, 'SHA3_256HEADER', 's'],
  // The package tags proper.
  [1000, 'NAME', 's', 'N'],
  [1001, 'VERSION', 's', 'V'],
  [1002, 'RELEASE', 's', 'R'],
  [1003, 'EPOCH', 'i', 'E'],
  [1004, 'SUMMARY', 's{}'],
  [1005, 'DESCRIPTION', 's{}'],
  [1006, 'BUILDTIME', 'i'],
  [1007, 'BUILDHOST', 's'],
  [1008, 'INSTALLTIME', 'i'],
  [1009, 'SIZE', 'i'],
  [1010, 'DISTRIBUTION', 's'],
  [1011, 'VENDOR', 's'],
  [1012, 'GIF', 'x'],
  [1013, 'XPM', 'x'],
  [1014, 'LICENSE', 's'],
  [1015, 'PACKAGER', 's'],
  [1016, 'GROUP', 's{}'],
  [1017, 'CHANGELOG', '(s[])'],
  [1018, 'SOURCE', 's[]'],
  [1019, 'PATCH', 's[]'],
  [1020, 'URL', 's'],
  [1021, 'OS', 's'],
  [1022, 'ARCH', 's'],
  [1023, 'PREIN', 's'],
  [1024, 'POSTIN', 's'],
  [1025, 'PREUN', 's'],
  [1026, 'POSTUN', 's'],
  [1027, 'OLDFILENAMES', 's[]'],
  [1028, 'FILESIZES', 'i[]'],
  [1029, 'FILESTATES', 'c[]'],
  [1030, 'FILEMODES', 'h[]'],
  [1031, 'FILEUIDS', '(i[])'],
  [1032, 'FILEGIDS', '(i[])'],
  [1033, 'FILERDEVS', 'h[]'],
  [1034, 'FILEMTIMES', 'i[]'],
  [1035, 'FILEDIGESTS', 's[]', 'FILEMD5S'],
  [1036, 'FILELINKTOS', 's[]'],
  [1037, 'FILEFLAGS', 'i[]'],
  [1038, 'ROOT', '()'],
  [1039, 'FILEUSERNAME', 's[]'],
  [1040, 'FILEGROUPNAME', 's[]'],
  [1041, 'EXCLUDE', '()'],
  [1042, 'EXCLUSIVE', '()'],
  [1043, 'ICON', 'x'],
  [1044, 'SOURCERPM', 's'],
  [1045, 'FILEVERIFYFLAGS', 'i[]'],
  [1046, 'ARCHIVESIZE', 'i'],
  [1047, 'PROVIDENAME', 's[]', 'PROVIDES', 'P'],
  [1048, 'REQUIREFLAGS', 'i[]'],
  [1049, 'REQUIRENAME', 's[]', 'REQUIRES'],
  [1050, 'REQUIREVERSION', 's[]'],
  [1051, 'NOSOURCE', 'i[]'],
  [1052, 'NOPATCH', 'i[]'],
  [1053, 'CONFLICTFLAGS', 'i[]'],
  [1054, 'CONFLICTNAME', 's[]', 'CONFLICTS', 'C'],
  [1055, 'CONFLICTVERSION', 's[]'],
  [1056, 'DEFAULTPREFIX', '(s)'],
  [1057, 'BUILDROOT', '(s)'],
  [1058, 'INSTALLPREFIX', '(s)'],
  [1059, 'EXCLUDEARCH', 's[]'],
  [1060, 'EXCLUDEOS', 's[]'],
  [1061, 'EXCLUSIVEARCH', 's[]'],
  [1062, 'EXCLUSIVEOS', 's[]'],
  [1063, 'AUTOREQPROV', '(s)'],
  [1064, 'RPMVERSION', 's'],
  [1065, 'TRIGGERSCRIPTS', 's[]'],
  [1066, 'TRIGGERNAME', 's[]'],
  [1067, 'TRIGGERVERSION', 's[]'],
  [1068, 'TRIGGERFLAGS', 'i[]'],
  [1069, 'TRIGGERINDEX', 'i[]'],
  [1079, 'VERIFYSCRIPT', 's'],
  [1080, 'CHANGELOGTIME', 'i[]'],
  [1081, 'CHANGELOGNAME', 's[]'],
  [1082, 'CHANGELOGTEXT', 's[]'],
  [1083, 'BROKENMD5', '()'],
  [1084, 'PREREQ', '()'],
  [1085, 'PREINPROG', 's[]'],
  [1086, 'POSTINPROG', 's[]'],
  [1087, 'PREUNPROG', 's[]'],
  [1088, 'POSTUNPROG', 's[]'],
  [1089, 'BUILDARCHS', 's[]'],
  [1090, 'OBSOLETENAME', 's[]', 'OBSOLETES', 'O'],
  [1091, 'VERIFYSCRIPTPROG', 's[]'],
  [1092, 'TRIGGERSCRIPTPROG', 's[]'],
  [1093, 'DOCDIR', '()'],
  [1094, 'COOKIE', 's'],
  [1095, 'FILEDEVICES', 'i[]'],
  [1096, 'FILEINODES', 'i[]'],
  [1097, 'FILELANGS', 's[]'],
  [1098, 'PREFIXES', 's[]'],
  [1099, 'INSTPREFIXES', 's[]'],
  [1100, 'TRIGGERIN', '()'],
  [1101, 'TRIGGERUN', '()'],
  [1102, 'TRIGGERPOSTUN', '()'],
  [1103, 'AUTOREQ', '()'],
  [1104, 'AUTOPROV', '()'],
  [1105, 'CAPABILITY', '(i)'],
  [1106, 'SOURCEPACKAGE', 'i'],
  [1107, 'OLDORIGFILENAMES', '()'],
  [1108, 'BUILDPREREQ', '()'],
  [1109, 'BUILDREQUIRES', '()'],
  [1110, 'BUILDCONFLICTS', '()'],
  [1111, 'BUILDMACROS', '()'],
  [1112, 'PROVIDEFLAGS', 'i[]'],
  [1113, 'PROVIDEVERSION', 's[]'],
  [1114, 'OBSOLETEFLAGS', 'i[]'],
  [1115, 'OBSOLETEVERSION', 's[]'],
  [1116, 'DIRINDEXES', 'i[]'],
  [1117, 'BASENAMES', 's[]'],
  [1118, 'DIRNAMES', 's[]'],
  [1119, 'ORIGDIRINDEXES', 'i[]'],
  [1120, 'ORIGBASENAMES', 's[]'],
  [1121, 'ORIGDIRNAMES', 's[]'],
  [1122, 'OPTFLAGS', 's'],
  [1123, 'DISTURL', 's'],
  [1124, 'PAYLOADFORMAT', 's'],
  [1125, 'PAYLOADCOMPRESSOR', 's'],
  [1126, 'PAYLOADFLAGS', 's'],
  [1127, 'INSTALLCOLOR', 'i'],
  [1128, 'INSTALLTID', 'i'],
  [1129, 'REMOVETID', 'i'],
  [1130, 'SHA1RHN', '()'],
  [1131, 'RHNPLATFORM', '(s)'],
  [1132, 'PLATFORM', 's'],
  [1133, 'PATCHESNAME', 's[]'],
  [1134, 'PATCHESFLAGS', 'i[]'],
  [1135, 'PATCHESVERSION', 's[]'],
  [1136, 'CACHECTIME', '(i)'],
  [1137, 'CACHEPKGPATH', '(s)'],
  [1138, 'CACHEPKGSIZE', '(i)'],
  [1139, 'CACHEPKGMTIME', '(i)'],
  [1140, 'FILECOLORS', 'i[]'],
  [1141, 'FILECLASS', 'i[]'],
  [1142, 'CLASSDICT', 's[]'],
  [1143, 'FILEDEPENDSX', 'i[]'],
  [1144, 'FILEDEPENDSN', 'i[]'],
  [1145, 'DEPENDSDICT', 'i[]'],
  [1146, 'SOURCESIGMD5', 'x', 'SOURCEPKGID'],
  [1147, 'FILECONTEXTS', 's[]'],
  [1148, 'FSCONTEXTS', 's[]*'],
  [1149, 'RECONTEXTS', 's[]*'],
  [1150, 'POLICIES', 's[]'],
  [1151, 'PRETRANS', 's'],
  [1152, 'POSTTRANS', 's'],
  [1153, 'PRETRANSPROG', 's[]'],
  [1154, 'POSTTRANSPROG', 's[]'],
  [1155, 'DISTTAG', 's'],
  [1156, 'OLDSUGGESTSNAME', 's[]', 'OLDSUGGESTS', 'SUGGESTSNAME'],
  [1157, 'OLDSUGGESTSVERSION', 's[]', 'SUGGESTSVERSION'],
  [1158, 'OLDSUGGESTSFLAGS', 'i[]', 'SUGGESTSFLAGS'],
  [1159, 'OLDENHANCESNAME', 's[]', 'OLDENHANCES', 'ENHANCESNAME'],
  [1160, 'OLDENHANCESVERSION', 's[]', 'ENHANCESVERSION'],
  [1161, 'OLDENHANCESFLAGS', 'i[]', 'ENHANCESFLAGS'],
  [1162, 'PRIORITY', '(i[])'],
  [1163, 'CVSID', '(s)', 'SVNID'],
  [1164, 'BLINKPKGID', '(s[])'],
  [1165, 'BLINKHDRID', '(s[])'],
  [1166, 'BLINKNEVRA', '(s[])'],
  [1167, 'FLINKPKGID', '(s[])'],
  [1168, 'FLINKHDRID', '(s[])'],
  [1169, 'FLINKNEVRA', '(s[])'],
  [1170, 'PACKAGEORIGIN', '(s)'],
  [1171, 'TRIGGERPREIN', '()'],
  [1172, 'BUILDSUGGESTS', '()'],
  [1173, 'BUILDENHANCES', '()'],
  [1174, 'SCRIPTSTATES', '(i[])'],
  [1175, 'SCRIPTMETRICS', '(i[])'],
  [1176, 'BUILDCPUCLOCK', '(i)'],
  [1177, 'FILEDIGESTALGOS', '(i[])'],
  [1178, 'VARIANTS', '(s[])'],
  [1179, 'XMAJOR', '(i)'],
  [1180, 'XMINOR', '(i)'],
  [1181, 'REPOTAG', '(s)'],
  [1182, 'KEYWORDS', '(s[])'],
  [1183, 'BUILDPLATFORMS', '(s[])'],
  [1184, 'PACKAGECOLOR', '(i)'],
  [1185, 'PACKAGEPREFCOLOR', '(i)'],
  [1186, 'XATTRSDICT', '(s[])'],
  [1187, 'FILEXATTRSX', '(i[])'],
  [1188, 'DEPATTRSDICT', '(s[])'],
  [1189, 'CONFLICTATTRSX', '(i[])'],
  [1190, 'OBSOLETEATTRSX', '(i[])'],
  [1191, 'PROVIDEATTRSX', '(i[])'],
  [1192, 'REQUIREATTRSX', '(i[])'],
  [1193, 'BUILDPROVIDES', '()'],
  [1194, 'BUILDOBSOLETES', '()'],
  [1195, 'DBINSTANCE', 'i*'],
  [1196, 'NVRA', 's*'],
  // Newer tags are numbered from 5000 up.
  [5000, 'FILENAMES', 's[]*'],
  [5001, 'FILEPROVIDE', 's[]*'],
  [5002, 'FILEREQUIRE', 's[]*'],
  [5003, 'FSNAMES', '(s[])'],
  [5004, 'FSSIZES', '(l[])'],
  [5005, 'TRIGGERCONDS', 's[]*'],
  [5006, 'TRIGGERTYPE', 's[]*'],
  [5007, 'ORIGFILENAMES', 's[]*'],
  [5008, 'LONGFILESIZES', 'l[]'],
  [5009, 'LONGSIZE', 'l'],
  [5010, 'FILECAPS', 's[]'],
  [5011, 'FILEDIGESTALGO', 'i'],
  [5012, 'BUGURL', 's'],
  [5013, 'EVR', 's*'],
  [5014, 'NVR', 's*'],
  [5015, 'NEVR', 's*'],
  [5016, 'NEVRA', 's*'],
  [5017, 'HEADERCOLOR', 'i*'],
  [5018, 'VERBOSE', 'i*'],
  [5019, 'EPOCHNUM', 'i*'],
  [5020, 'PREINFLAGS', 'i'],
  [5021, 'POSTINFLAGS', 'i'],
  [5022, 'PREUNFLAGS', 'i'],
  [5023, 'POSTUNFLAGS', 'i'],
  [5024, 'PRETRANSFLAGS', 'i'],
  [5025, 'POSTTRANSFLAGS', 'i'],
  [5026, 'VERIFYSCRIPTFLAGS', 'i'],
  [5027, 'TRIGGERSCRIPTFLAGS', 'i[]'],
  [5029, 'COLLECTIONS', '(s[])'],
  [5030, 'POLICYNAMES', 's[]'],
  [5031, 'POLICYTYPES', 's[]'],
  [5032, 'POLICYTYPESINDEXES', 'i[]'],
  [5033, 'POLICYFLAGS', 'i[]'],
  [5034, 'VCS', 's'],
  [5035, 'ORDERNAME', 's[]'],
  [5036, 'ORDERVERSION', 's[]'],
  [5037, 'ORDERFLAGS', 'i[]'],
  [5038, 'MSSFMANIFEST', '(s[])'],
  [5039, 'MSSFDOMAIN', '(s[])'],
  [5040, 'INSTFILENAMES', 's[]*'],
  [5041, 'REQUIRENEVRS', 's[]*'],
  [5042, 'PROVIDENEVRS', 's[]*'],
  [5043, 'OBSOLETENEVRS', 's[]*'],
  [5044, 'CONFLICTNEVRS', 's[]*'],
  [5045, 'FILENLINKS', 'i[]*'],
  [5046, 'RECOMMENDNAME', 's[]', 'RECOMMENDS'],
  [5047, 'RECOMMENDVERSION', 's[]'],
  [5048, 'RECOMMENDFLAGS', 'i[]'],
  [5049, 'SUGGESTNAME', 's[]', 'SUGGESTS'],
  [5050, 'SUGGESTVERSION', 's[]'],
  [5051, 'SUGGESTFLAGS', 'i[]'],
  [5052, 'SUPPLEMENTNAME', 's[]', 'SUPPLEMENTS'],
  [5053, 'SUPPLEMENTVERSION', 's[]'],
  [5054, 'SUPPLEMENTFLAGS', 'i[]'],
  [5055, 'ENHANCENAME', 's[]', 'ENHANCES'],
  [5056, 'ENHANCEVERSION', 's[]'],
  [5057, 'ENHANCEFLAGS', 'i[]'],
  [5058, 'RECOMMENDNEVRS', 's[]*'],
  [5059, 'SUGGESTNEVRS', 's[]*'],
  [5060, 'SUPPLEMENTNEVRS', 's[]*'],
  [5061, 'ENHANCENEVRS', 's[]*'],
  [5062, 'ENCODING', 's'],
  [5063, 'FILETRIGGERIN', '()'],
  [5064, 'FILETRIGGERUN', '()'],
  [5065, 'FILETRIGGERPOSTUN', '()'],
  [5066, 'FILETRIGGERSCRIPTS', 's[]'],
  [5067, 'FILETRIGGERSCRIPTPROG', 's[]'],
  [5068, 'FILETRIGGERSCRIPTFLAGS', 'i[]'],
  [5069, 'FILETRIGGERNAME', 's[]'],
  [5070, 'FILETRIGGERINDEX', 'i[]'],
  [5071, 'FILETRIGGERVERSION', 's[]'],
  [5072, 'FILETRIGGERFLAGS', 'i[]'],
  [5073, 'TRANSFILETRIGGERIN', '()'],
  [5074, 'TRANSFILETRIGGERUN', '()'],
  [5075, 'TRANSFILETRIGGERPOSTUN', '()'],
  [5076, 'TRANSFILETRIGGERSCRIPTS', 's[]'],
  [5077, 'TRANSFILETRIGGERSCRIPTPROG', 's[]'],
  [5078, 'TRANSFILETRIGGERSCRIPTFLAGS', 'i[]'],
  [5079, 'TRANSFILETRIGGERNAME', 's[]'],
  [5080, 'TRANSFILETRIGGERINDEX', 'i[]'],
  [5081, 'TRANSFILETRIGGERVERSION', 's[]'],
  [5082, 'TRANSFILETRIGGERFLAGS', 'i[]'],
  [5083, 'REMOVEPATHPOSTFIXES', '(s)'],
  [5084, 'FILETRIGGERPRIORITIES', 'i[]'],
  [5085, 'TRANSFILETRIGGERPRIORITIES', 'i[]'],
  [5086, 'FILETRIGGERCONDS', 's[]*'],
  [5087, 'FILETRIGGERTYPE', 's[]*'],
  [5088, 'TRANSFILETRIGGERCONDS', 's[]*'],
  [5089, 'TRANSFILETRIGGERTYPE', 's[]*'],
  [5090, 'FILESIGNATURES', 's[]'],
  [5091, 'FILESIGNATURELENGTH', 'i'],
  [5092, 'PAYLOADSHA256', 's[]', 'PAYLOADDIGEST'],
  [5093, 'PAYLOADSHA256ALGO', 'i', 'PAYLOADDIGESTALGO'],
  [5094, 'AUTOINSTALLED', '(i)'],
  [5095, 'IDENTITY', '(s)'],
  [5096, 'MODULARITYLABEL', 's'],
  [5097, 'PAYLOADSHA256ALT', 's[]', 'PAYLOADDIGESTALT'],
  [5098, 'ARCHSUFFIX', 's*'],
  [5099, 'SPEC', 's'],
  [5100, 'TRANSLATIONURL', 's'],
  [5101, 'UPSTREAMRELEASES', 's'],
  [5102, 'SOURCELICENSE', '()'],
  [5103, 'PREUNTRANS', 's'],
  [5104, 'POSTUNTRANS', 's'],
  [5105, 'PREUNTRANSPROG', 's[]'],
  [5106, 'POSTUNTRANSPROG', 's[]'],
  [5107, 'PREUNTRANSFLAGS', 'i'],
  [5108, 'POSTUNTRANSFLAGS', 'i'],
  [5109, 'SYSUSERS', 's[]*'],
  [5110, 'BUILDSYSTEM', '()'],
  [5111, 'BUILDOPTION', '()'],
  [5112, 'PAYLOADSIZE', 'l'],
  [5113, 'PAYLOADSIZEALT', 'l'],
  [5114, 'RPMFORMAT', 'i'],
  [5115, 'FILEMIMEINDEX', 'i[]'],
  [5116, 'MIMEDICT', 's[]'],
  [5117, 'FILEMIMES', 's[]*'],
  [5118, 'PACKAGEDIGESTS', 's[]'],
  [5119, 'PACKAGEDIGESTALGOS', 'i[]'],
  [5120, 'SOURCENEVR', 's'],
  [5121, 'PAYLOADSHA512', 's'],
  [5122, 'PAYLOADSHA512ALT', 's'],
  [5123, 'PAYLOADSHA3_256', 's'],
  [5124, 'PAYLOADSHA3_256ALT', 's'],
] as const satisfies readonly Row[];

const SIGNATURE_ROWS = [
  [62, 'HEADERSIGNATURES', 'x'],
  [264, 'BADSHA1_1', '()'],
  [265, 'BADSHA1_2', '()'],
  [267, 'DSA', 'x'],
  [268, 'RSA', 'x'],
  [269, 'SHA1', 's'],
  [270, 'LONGSIZE', 'l'],
  [271, 'LONGARCHIVESIZE', 'l'],
  [273, 'SHA256', 's'],
  [274, 'FILESIGNATURES', 's[]'],
  [275, 'FILESIGNATURELENGTH', 'i'],
  [276, 'VERITYSIGNATURES', 's[]'],
  [277, 'VERITYSIGNATUREALGO', 'i'],
  [278, 'OPENPGP', 's[]'],
  [279, 'SHA3_256', 's'],
  [999, 'RESERVED', 'x'],
  [1000, 'SIZE', 'i'],
  [1001, 'LEMD5_1', '()'],
  [1002, 'PGP', 'x'],
  [1003, 'LEMD5_2', '()'],
  [1004, 'MD5', 'x'],
  [1005, 'GPG', 'x'],
  [1006, 'PGP5', '()'],
  [1007, 'PAYLOADSIZE', 'i'],
  [1008, 'RESERVEDSPACE', 'x'],
] as const satisfies readonly Row[];

function toInfo(row: Row): TagInfo {
  const [tag, name, decl, ...aliases] = row;
  const untyped = decl.startsWith('(');
  const extension = decl.endsWith('*');
  const base = (untyped ? decl.slice(1, -1) : extension ? decl.slice(0, -1) : decl) as BaseDecl | '';
  const declared = base === '' ? undefined : DECLS[base];
  const info: { -readonly [K in keyof TagInfo]: TagInfo[K] } = {
    tag,
    name,
    type: untyped || declared === undefined ? null : declared[0],
    array: declared?.[1] ?? false,
  };
  if (extension) info.extension = true;
  if (aliases.length > 0) info.aliases = Object.freeze(aliases);
  return Object.freeze(info);
}

/** Every main-header tag rpm 6.x defines, sorted by number (includes untyped and extension tags). */
export const MAIN_TAGS: readonly TagInfo[] = Object.freeze(MAIN_ROWS.map(toInfo));

/** Every signature-header tag (`RPMSIGTAG_*`), sorted by number. */
export const SIGNATURE_TAGS: readonly TagInfo[] = Object.freeze(SIGNATURE_ROWS.map(toInfo));

type AliasesOf<R> = R extends readonly [number, string, string, ...infer A extends readonly string[]] ? A[number] : never;
type NameMap<Rows extends readonly Row[]> = {
  readonly [R in Rows[number] as R[1] | AliasesOf<R>]: R[0];
};

function nameMap<Rows extends readonly Row[]>(rows: Rows): NameMap<Rows> {
  const out: Record<string, number> = {};
  for (const [tag, name, , ...aliases] of rows) {
    out[name] = tag;
    for (const alias of aliases) out[alias] = tag;
  }
  return Object.freeze(out) as NameMap<Rows>;
}

/** Main-header tag numbers by name (aliases included): `RPMTAG.NAME === 1000`, `RPMTAG.FILEMD5S === 1035`. */
export const RPMTAG = nameMap(MAIN_ROWS);

/** Signature-header tag numbers by name: `RPMSIGTAG.SIZE === 1000`, `RPMSIGTAG.SHA256 === 273`. */
export const RPMSIGTAG = nameMap(SIGNATURE_ROWS);

interface Namespace {
  readonly byTag: ReadonlyMap<number, TagInfo>;
  readonly byName: ReadonlyMap<string, number>;
}

function indexTags(tags: readonly TagInfo[]): Namespace {
  const byTag = new Map<number, TagInfo>();
  const byName = new Map<string, number>();
  for (const info of tags) {
    byTag.set(info.tag, info);
    byName.set(info.name, info.tag);
    for (const alias of info.aliases ?? []) byName.set(alias, info.tag);
  }
  return { byTag, byName };
}

const MAIN = indexTags(MAIN_TAGS);
const SIGNATURE = indexTags(SIGNATURE_TAGS);

/** The main-header tag with this number, if rpm defines one. */
export function mainTagInfo(tag: number): TagInfo | undefined {
  return MAIN.byTag.get(tag);
}

/** The signature-header tag with this number, if rpm defines one. */
export function signatureTagInfo(tag: number): TagInfo | undefined {
  return SIGNATURE.byTag.get(tag);
}

/**
 * Look a tag number up by name, ignoring case and accepting aliases. An `RPMTAG_` prefix selects the
 * main namespace and an `RPMSIGTAG_` prefix the signature namespace; without a prefix the namespace
 * defaults to `'main'`. A prefix that contradicts an explicit `namespace` finds nothing.
 */
export function tagNumber(name: string, namespace?: 'main' | 'signature'): number | undefined {
  let key = name.trim().toUpperCase();
  let ns = namespace;
  if (key.startsWith('RPMSIGTAG_')) {
    if (ns === 'main') return undefined;
    ns = 'signature';
    key = key.slice('RPMSIGTAG_'.length);
  } else if (key.startsWith('RPMTAG_')) {
    if (ns === 'signature') return undefined;
    ns = 'main';
    key = key.slice('RPMTAG_'.length);
  }
  return (ns === 'signature' ? SIGNATURE : MAIN).byName.get(key);
}

/** The canonical (rpm 6.x) name of a tag number, without prefix; `undefined` for unknown numbers. */
export function tagName(tag: number, namespace: 'main' | 'signature' = 'main'): string | undefined {
  return (namespace === 'signature' ? SIGNATURE : MAIN).byTag.get(tag)?.name;
}

/** Dependency flag bits (`RPMSENSE_*`, the values of the `*FLAGS` dependency tags). */
export const RPMSENSE = {
  ANY: 0,
  LESS: 0x2,
  GREATER: 0x4,
  EQUAL: 0x8,
  // 0x10 is unused
  POSTTRANS: 0x20,
  PREREQ: 0x40,
  PRETRANS: 0x80,
  INTERP: 0x100,
  SCRIPT_PRE: 0x200,
  SCRIPT_POST: 0x400,
  SCRIPT_PREUN: 0x800,
  SCRIPT_POSTUN: 0x1000,
  SCRIPT_VERIFY: 0x2000,
  FIND_REQUIRES: 0x4000,
  FIND_PROVIDES: 0x8000,
  TRIGGERIN: 0x10000,
  TRIGGERUN: 0x20000,
  TRIGGERPOSTUN: 0x40000,
  MISSINGOK: 0x80000,
  PREUNTRANS: 0x100000,
  POSTUNTRANS: 0x200000,
  // 0x400000 and 0x800000 are unused
  RPMLIB: 0x1000000,
  TRIGGERPREIN: 0x2000000,
  KEYRING: 0x4000000,
  // 0x8000000 is unused
  CONFIG: 0x10000000,
  META: 0x20000000,
  /** The comparison bits (LESS, GREATER, EQUAL and the long-unused bit 0). */
  SENSEMASK: 15,
  /** TRIGGERPREIN | TRIGGERIN | TRIGGERUN | TRIGGERPOSTUN. */
  TRIGGER: 0x2070000,
} as const;

/** File flag bits (`RPMFILE_*`, the values of FILEFLAGS 1037). */
export const RPMFILE = {
  CONFIG: 0x1,
  DOC: 0x2,
  ICON: 0x4,
  MISSINGOK: 0x8,
  NOREPLACE: 0x10,
  SPECFILE: 0x20,
  GHOST: 0x40,
  LICENSE: 0x80,
  README: 0x100,
  // 0x200 and 0x400 are unused
  PUBKEY: 0x800,
  ARTIFACT: 0x1000,
} as const;

/**
 * File verification bits (`RPMVERIFY_*`, the values of FILEVERIFYFLAGS 1045). The bits from
 * READLINKFAIL up only occur in rpm's verification reports, not in packages.
 */
export const RPMVERIFY = {
  NONE: 0,
  FILEDIGEST: 0x1,
  /** Old name of FILEDIGEST. */
  MD5: 0x1,
  FILESIZE: 0x2,
  LINKTO: 0x4,
  USER: 0x8,
  GROUP: 0x10,
  MTIME: 0x20,
  MODE: 0x40,
  RDEV: 0x80,
  CAPS: 0x100,
  CONTEXTS: 0x8000,
  READLINKFAIL: 0x10000000,
  READFAIL: 0x20000000,
  LSTATFAIL: 0x40000000,
  LGETFILECONFAIL: 0x80000000,
} as const;

/** OpenPGP / rpm hash algorithm ids (`PGPHASHALGO_*`), as used by FILEDIGESTALGO 5011 and friends. */
export const PGPHASHALGO = {
  MD5: 1,
  SHA1: 2,
  RIPEMD160: 3,
  MD2: 5,
  TIGER192: 6,
  HAVAL_5_160: 7,
  SHA256: 8,
  SHA384: 9,
  SHA512: 10,
  SHA224: 11,
  SHA3_256: 12,
  // 13 is reserved
  SHA3_512: 14,
} as const;

const HASH_ALGO_NAMES: ReadonlyMap<number, string> = new Map([
  [PGPHASHALGO.MD5, 'md5'],
  [PGPHASHALGO.SHA1, 'sha1'],
  [PGPHASHALGO.RIPEMD160, 'ripemd160'],
  [PGPHASHALGO.MD2, 'md2'],
  [PGPHASHALGO.TIGER192, 'tiger192'],
  [PGPHASHALGO.HAVAL_5_160, 'haval_5_160'],
  [PGPHASHALGO.SHA256, 'sha256'],
  [PGPHASHALGO.SHA384, 'sha384'],
  [PGPHASHALGO.SHA512, 'sha512'],
  [PGPHASHALGO.SHA224, 'sha224'],
  [PGPHASHALGO.SHA3_256, 'sha3-256'],
  [PGPHASHALGO.SHA3_512, 'sha3-512'],
]);

/**
 * Lower-case name of a hash algorithm id: the `node:crypto` name where Node has one (`8` → `'sha256'`,
 * `12` → `'sha3-256'`), otherwise rpm's name lower-cased (`'md2'`, `'tiger192'`, `'haval_5_160'`).
 */
export function hashAlgoName(id: number): string | undefined {
  return HASH_ALGO_NAMES.get(id);
}

/** One kind of dependency and the parallel tags that store it. */
export interface DependencyKind {
  readonly kind: string;
  readonly nameTag: number;
  readonly versionTag: number;
  readonly flagsTag: number;
  /** Trigger kinds only: the tag mapping each trigger to its script. */
  readonly indexTag?: number;
}

/**
 * The dependency kinds. The first eight are the package-relationship kinds; `order` holds ordering
 * hints and the last three are trigger conditions (with an index tag into the trigger scripts).
 */
export const DEPENDENCY_KINDS: readonly DependencyKind[] = Object.freeze(
  (
    [
      { kind: 'provides', nameTag: RPMTAG.PROVIDENAME, versionTag: RPMTAG.PROVIDEVERSION, flagsTag: RPMTAG.PROVIDEFLAGS },
      { kind: 'requires', nameTag: RPMTAG.REQUIRENAME, versionTag: RPMTAG.REQUIREVERSION, flagsTag: RPMTAG.REQUIREFLAGS },
      { kind: 'conflicts', nameTag: RPMTAG.CONFLICTNAME, versionTag: RPMTAG.CONFLICTVERSION, flagsTag: RPMTAG.CONFLICTFLAGS },
      { kind: 'obsoletes', nameTag: RPMTAG.OBSOLETENAME, versionTag: RPMTAG.OBSOLETEVERSION, flagsTag: RPMTAG.OBSOLETEFLAGS },
      { kind: 'recommends', nameTag: RPMTAG.RECOMMENDNAME, versionTag: RPMTAG.RECOMMENDVERSION, flagsTag: RPMTAG.RECOMMENDFLAGS },
      { kind: 'suggests', nameTag: RPMTAG.SUGGESTNAME, versionTag: RPMTAG.SUGGESTVERSION, flagsTag: RPMTAG.SUGGESTFLAGS },
      { kind: 'supplements', nameTag: RPMTAG.SUPPLEMENTNAME, versionTag: RPMTAG.SUPPLEMENTVERSION, flagsTag: RPMTAG.SUPPLEMENTFLAGS },
      { kind: 'enhances', nameTag: RPMTAG.ENHANCENAME, versionTag: RPMTAG.ENHANCEVERSION, flagsTag: RPMTAG.ENHANCEFLAGS },
      { kind: 'order', nameTag: RPMTAG.ORDERNAME, versionTag: RPMTAG.ORDERVERSION, flagsTag: RPMTAG.ORDERFLAGS },
      {
        kind: 'triggers',
        nameTag: RPMTAG.TRIGGERNAME,
        versionTag: RPMTAG.TRIGGERVERSION,
        flagsTag: RPMTAG.TRIGGERFLAGS,
        indexTag: RPMTAG.TRIGGERINDEX,
      },
      {
        kind: 'filetriggers',
        nameTag: RPMTAG.FILETRIGGERNAME,
        versionTag: RPMTAG.FILETRIGGERVERSION,
        flagsTag: RPMTAG.FILETRIGGERFLAGS,
        indexTag: RPMTAG.FILETRIGGERINDEX,
      },
      {
        kind: 'transfiletriggers',
        nameTag: RPMTAG.TRANSFILETRIGGERNAME,
        versionTag: RPMTAG.TRANSFILETRIGGERVERSION,
        flagsTag: RPMTAG.TRANSFILETRIGGERFLAGS,
        indexTag: RPMTAG.TRANSFILETRIGGERINDEX,
      },
    ] satisfies DependencyKind[]
  ).map((k) => Object.freeze(k)),
);

/** RPMSENSE names of the single-bit flags, by bit index. */
const SENSE_BIT_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(RPMSENSE)
    .filter(([, value]) => value !== 0 && (value & (value - 1)) === 0)
    .map(([name, value]) => [31 - Math.clz32(value), name] as const),
);

/**
 * Names of the bits set in a dependency flags value, lowest bit first, e.g. `0x100000A` →
 * `['LESS', 'EQUAL', 'RPMLIB']`. `0` gives `[]`. Bits rpm does not name come out as `BIT<n>`
 * (e.g. `'BIT4'`). The value is read as an unsigned 32-bit number.
 */
export function dependencyFlagNames(flags: number): string[] {
  const value = flags >>> 0;
  const names: string[] = [];
  for (let n = 0; n < 32; n++) {
    if (((value >>> n) & 1) !== 0) names.push(SENSE_BIT_NAMES.get(n) ?? `BIT${n}`);
  }
  return names;
}

/** A comparison operator as rpm prints it between a dependency's name and version. */
export type DependencyOperator = '' | '<' | '>' | '=' | '<=' | '>=' | '<>' | '<>=';

/**
 * The comparison operator encoded in dependency flags, built the way rpm prints it: `<` for LESS,
 * then `>` for GREATER, then `=` for EQUAL. `12` → `'>='`, `0` → `''`. Other bits are ignored.
 * LESS|GREATER (`'<>'`) and LESS|GREATER|EQUAL (`'<>='`) do not occur in sane packages but are
 * reported as rpm would print them.
 */
export function flagsOperator(flags: number): DependencyOperator {
  return OPERATORS[(flags >>> 1) & 7]!;
}

/** Operators indexed by the LESS/GREATER/EQUAL bits (flags >> 1 & 7). */
const OPERATORS: readonly DependencyOperator[] = ['', '<', '>', '<>', '=', '<=', '>=', '<>='];
